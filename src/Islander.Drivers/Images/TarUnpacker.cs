using System.Formats.Tar;
using System.Text;
using Islander.Drivers.Interop;
using Islander.Model;

namespace Islander.Drivers.Images;

/// <summary>
/// Unpacks a tar stream (plain, gzip or zstd) into a directory and can never write outside it.
/// Entry names are cleaned lexically (a leading '/' is dropped, a '..' that climbs above the root
/// is refused); every parent directory is then resolved inside the root the way
/// openat2(RESOLVE_IN_ROOT) does: each component is lstat'ed, and a symlink met on the way is
/// followed with the root standing in for '/' and '..' clamped at it, so a symlink the archive
/// planted earlier cannot lead out. The final component is never followed: an existing entry there
/// is removed and replaced (files are created O_EXCL). Hard links must name an existing
/// non-directory inside the root. Device nodes are skipped unless allowed, and each is named in the result.
/// The target must be a directory only this unpack writes to (a fresh layer directory).
/// </summary>
public sealed partial class TarUnpacker
{
    const string OverlayOpaqueXattr = "trusted.overlay.opaque";
    const int MaxSymlinks = 40; // the kernel's MAXSYMLINKS

    readonly string root;
    readonly UnpackOptions options;
    readonly bool chown;
    readonly Dictionary<string, string> resolvedDirs = new(StringComparer.Ordinal);
    readonly List<(string Path, UnixFileMode Mode, DateTimeOffset MTime)> directories = [];
    readonly HashSet<string> skippedPaths = new(StringComparer.Ordinal);
    readonly List<string> skippedDeviceNodes = [];
    int entries, skippedDevices, skippedXattrs;

    /// <summary>How many skipped device nodes the result names; the count covers all of them.</summary>
    public const int MaxNamedSkips = 100;

    TarUnpacker(string root, UnpackOptions options)
    {
        this.root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        this.options = options;
        chown = options.PreserveOwnership && FileInterop.IsRoot;
    }

    /// <summary>Unpacks <paramref name="archive"/> (a seekable stream, compression sniffed) into the existing directory <paramref name="root"/>.</summary>
    /// <exception cref="IslanderException">InvalidManifest: a hostile or malformed archive; Unsupported: sparse files and other rare entry types.</exception>
    public static UnpackResult Unpack(Stream archive, string root, UnpackOptions options, CancellationToken ct = default)
    {
        if (FileInterop.Lstat(root).Kind != FileKind.Directory)
            throw new IslanderException($"unpack target {root} is not a directory", ErrorCategory.NotFound);
        var unpacker = new TarUnpacker(root, options);
        using var hashing = new HashingStream(LayerCompression.OpenDecompressed(archive, leaveOpen: true));
        try
        {
            using (var reader = new TarReader(hashing, leaveOpen: true))
            {
                while (NextEntry(reader) is { } entry)
                {
                    ct.ThrowIfCancellationRequested();
                    unpacker.Apply(entry);
                }
            }
            unpacker.FinishDirectories();
            var diffId = hashing.Finish();
            return new UnpackResult(diffId, hashing.BytesRead, unpacker.entries, unpacker.skippedDevices, unpacker.skippedXattrs, unpacker.skippedDeviceNodes);
        }
        catch (InvalidDataException e)
        {
            throw new IslanderException($"not a valid tar archive: {e.Message}", ErrorCategory.InvalidManifest, e);
        }
        catch (Exception e) when (IsCorrupt(e))
        {
            throw new IslanderException($"not a valid tar archive (truncated or corrupt): {e.Message}", ErrorCategory.InvalidManifest, e);
        }
    }

    /// <summary>What the decompressors and <see cref="TarReader"/> throw on a truncated or corrupt stream besides InvalidDataException.</summary>
    internal static bool IsCorrupt(Exception e) =>
        e is FormatException or EndOfStreamException or ZstdSharp.ZstdException or ArgumentException or OverflowException;

    /// <summary>
    /// The next entry's header. TarReader throws InvalidOperationException when a PAX or GNU long-name header's size
    /// field says more than the data that follows: bad input, so it is an InvalidDataException here; caught around this
    /// call only, an InvalidOperationException of ours stays a bug.
    /// </summary>
    internal static TarEntry? NextEntry(TarReader reader)
    {
        try
        {
            return reader.GetNextEntry(copyData: false);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidDataException(e.Message, e);
        }
    }

    void Apply(TarEntry entry)
    {
        entries++;
        if (entry.EntryType is TarEntryType.GlobalExtendedAttributes)
            return;
        string path = LayerPath.Clean(entry.Name);
        if (options.OverlayWhiteouts)
        {
            var (kind, target) = LayerPath.Classify(path);
            switch (kind)
            {
                case WhiteoutKind.File:
                    WriteWhiteout(target);
                    return;
                case WhiteoutKind.Opaque:
                    SetXattrOrThrow(ResolveInRoot(target, create: true, entry.Name), OverlayOpaqueXattr, "y"u8);
                    return;
                case WhiteoutKind.Meta:
                    return;
            }
        }
        if (path.Length == 0)
        {
            if (entry.EntryType != TarEntryType.Directory)
                throw new IslanderException($"layer entry \"{entry.Name}\" would replace the root with a non-directory", ErrorCategory.InvalidManifest);
            ApplyOwnerAndXattrs(root, entry);
            directories.Add((root, entry.Mode, entry.ModificationTime));
            return;
        }

        int slash = path.LastIndexOf('/');
        string parent = ResolveInRoot(slash < 0 ? "" : path[..slash], create: true, entry.Name);
        string full = $"{parent}/{path[(slash + 1)..]}";
        switch (entry.EntryType)
        {
            case TarEntryType.Directory:
                if (FileInterop.Lstat(full).Kind != FileKind.Directory)
                {
                    RemoveExisting(full);
                    Directory.CreateDirectory(full);
                }
                ApplyOwnerAndXattrs(full, entry);
                directories.Add((full, entry.Mode, entry.ModificationTime));
                return;
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                RemoveExisting(full);
                WriteFile(full, entry);
                break;
            case TarEntryType.SymbolicLink:
                RemoveExisting(full);
                if (entry.LinkName.Length == 0 || entry.LinkName.Contains('\0'))
                    throw new IslanderException($"layer entry \"{entry.Name}\" is a symlink to nothing", ErrorCategory.InvalidManifest);
                File.CreateSymbolicLink(full, entry.LinkName);
                break;
            case TarEntryType.HardLink:
                if (skippedPaths.Contains(LayerPath.Clean(entry.LinkName)))
                {
                    SkipDevice($"/{path} (hard link to /{LayerPath.Clean(entry.LinkName)})"); // a second name for a device left out
                    return;
                }
                string source = HardLinkSource(entry);
                if (source == full)
                    return;
                RemoveExisting(full);
                FileInterop.Link(source, full);
                return; // a hard link shares its source's inode and metadata
            case TarEntryType.CharacterDevice or TarEntryType.BlockDevice:
                if (!options.AllowDevices)
                {
                    var device = (PosixTarEntry)entry;
                    SkipDevice($"/{path} ({(entry.EntryType == TarEntryType.CharacterDevice ? "character" : "block")} device {device.DeviceMajor}:{device.DeviceMinor})");
                    skippedPaths.Add(path);
                    return;
                }
                RemoveExisting(full);
                FileInterop.Mknod(full, entry.EntryType == TarEntryType.CharacterDevice ? FileKind.CharDevice : FileKind.BlockDevice,
                    (uint)entry.Mode, (uint)((PosixTarEntry)entry).DeviceMajor, (uint)((PosixTarEntry)entry).DeviceMinor);
                break;
            case TarEntryType.Fifo:
                RemoveExisting(full);
                FileInterop.Mknod(full, FileKind.Fifo, (uint)entry.Mode, 0, 0);
                break;
            default:
                throw new IslanderException($"layer entry \"{entry.Name}\" has unsupported type {entry.EntryType}", ErrorCategory.Unsupported);
        }
        ApplyOwnerAndXattrs(full, entry);
        if (entry.EntryType != TarEntryType.SymbolicLink)
            File.SetUnixFileMode(full, entry.Mode);
        FileInterop.SetTimes(full, entry.ModificationTime, entry.ModificationTime);
    }

    void SkipDevice(string description)
    {
        skippedDevices++;
        if (skippedDeviceNodes.Count < MaxNamedSkips) skippedDeviceNodes.Add(description);
    }

    static void WriteFile(string full, TarEntry entry)
    {
        using var file = new FileStream(full, new FileStreamOptions
        {
            Mode = FileMode.CreateNew, // O_EXCL: never through a symlink
            Access = FileAccess.Write,
            BufferSize = 0,
            PreallocationSize = entry.Length,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        entry.DataStream?.CopyTo(file, 1 << 17);
    }

    string HardLinkSource(TarEntry entry)
    {
        string target = LayerPath.Clean(entry.LinkName);
        if (target.Length == 0)
            throw new IslanderException($"layer entry \"{entry.Name}\" is a hard link to the root", ErrorCategory.InvalidManifest);
        int slash = target.LastIndexOf('/');
        string source = $"{ResolveInRoot(slash < 0 ? "" : target[..slash], create: false, entry.Name)}/{target[(slash + 1)..]}";
        var kind = FileInterop.Lstat(source).Kind;
        if (kind is FileKind.Missing or FileKind.Directory)
            throw new IslanderException(
                $"layer entry \"{entry.Name}\" is a hard link to \"{entry.LinkName}\", which is {(kind == FileKind.Missing ? "not in the layer" : "a directory")}",
                ErrorCategory.InvalidManifest);
        return source;
    }

    void WriteWhiteout(string target)
    {
        int slash = target.LastIndexOf('/');
        string full = $"{ResolveInRoot(slash < 0 ? "" : target[..slash], create: true, target)}/{target[(slash + 1)..]}";
        RemoveExisting(full);
        // overlayfs whiteout: a character device 0:0 (Documentation/filesystems/overlayfs.rst, "whiteouts and opaque directories").
        FileInterop.Mknod(full, FileKind.CharDevice, 0, 0, 0);
    }

    void RemoveExisting(string full)
    {
        switch (FileInterop.Lstat(full).Kind)
        {
            case FileKind.Missing:
                return;
            case FileKind.Directory:
                Directory.Delete(full, recursive: true);
                break;
            default:
                File.Delete(full);
                break;
        }
        resolvedDirs.Clear(); // a cached directory may have been the one removed
        // Nor may deferred directory metadata go to paths under it: the name may come back as a
        // symlink, and the deferred chmod/utimes would follow it.
        directories.RemoveAll(d => d.Path == full || d.Path.StartsWith(full + "/", StringComparison.Ordinal));
    }

    void ApplyOwnerAndXattrs(string full, TarEntry entry)
    {
        if (chown)
            FileInterop.Lchown(full, entry.Uid, entry.Gid);
        if (options.Xattrs && entry is PaxTarEntry pax)
            foreach (var (key, value) in pax.ExtendedAttributes)
                ApplyXattr(full, key, value);
    }

    void ApplyXattr(string full, string key, string value)
    {
        string name;
        byte[] bytes;
        if (key.StartsWith("SCHILY.xattr.", StringComparison.Ordinal))
        {
            name = key["SCHILY.xattr.".Length..];
            // System.Formats.Tar hands PAX values over as UTF-8 text; a binary value (file capabilities)
            // that did not survive that decoding is skipped rather than written wrong.
            if (value.Contains('\uFFFD'))
            {
                skippedXattrs++;
                return;
            }
            bytes = Encoding.UTF8.GetBytes(value);
        }
        else if (key.StartsWith("LIBARCHIVE.xattr.", StringComparison.Ordinal))
        {
            name = Uri.UnescapeDataString(key["LIBARCHIVE.xattr.".Length..]);
            bytes = Convert.FromBase64String(value.PadRight((value.Length + 3) / 4 * 4, '='));
        }
        else
            return;
        // trusted.overlay.* would let a layer redirect or hide paths of the overlay it becomes part of.
        if (name.StartsWith("trusted.overlay.", StringComparison.Ordinal) || name.Length == 0)
        {
            skippedXattrs++;
            return;
        }
        int errno = FileInterop.TrySetXattr(full, name, bytes);
        if (errno is 0)
            return;
        if (errno is Errno.EPERM or Errno.EOPNOTSUPP or Errno.EINVAL or Errno.ENODATA)
        {
            skippedXattrs++;
            return;
        }
        throw new SyscallException($"lsetxattr {name}", full, errno);
    }

    static void SetXattrOrThrow(string path, string name, ReadOnlySpan<byte> value) => FileInterop.SetXattr(path, name, value);

    /// <summary>Directory modes and times go last: writing children changes a directory's mtime, and a read-only mode would stop them.</summary>
    void FinishDirectories()
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        for (int i = directories.Count - 1; i >= 0; i--)
        {
            var (path, mode, mtime) = directories[i];
            if (!done.Add(path) || FileInterop.Lstat(path).Kind != FileKind.Directory)
                continue; // a later entry for the same directory wins; or it was replaced by a non-directory
            File.SetUnixFileMode(path, mode);
            FileInterop.SetTimes(path, mtime, mtime);
        }
    }
}
