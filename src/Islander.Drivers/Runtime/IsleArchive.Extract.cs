using System.Formats.Tar;
using Islander.Drivers.Interop;
using Islander.Model;
using Microsoft.Win32.SafeHandles;

namespace Islander.Drivers.Runtime;

public static partial class IsleArchive
{
    /// <summary>
    /// Unpacks the tar stream <paramref name="input"/> into the directory <paramref name="path"/> of the isle, as Docker's
    /// <c>PUT /containers/NAME/archive</c>. The directory is resolved inside the isle's root (its symlinks followed, clamped
    /// at its root); an entry's own name is walked one component at a time from there and never through a symlink, so a
    /// link in the isle, or one the same tar made, cannot carry a write out. Refused, with the entry named: an absolute
    /// name or one with <c>..</c> (the entries before it stay written), hard links, device nodes. Files are owned by the
    /// isle's root unless <paramref name="keepOwners"/> (Docker's <c>cp -a</c>: the tar's uid and gid, as the isle sees them).
    /// </summary>
    /// <returns>How many entries were written.</returns>
    /// <exception cref="IslanderException">NotFound: no such directory; InvalidManifest: not a directory, or a refused entry.</exception>
    public static async Task<int> ExtractAsync(SafeFileHandle root, string isle, string path, Stream input, IsleIdMap uids, IsleIdMap gids,
        bool keepOwners, CancellationToken ct)
    {
        using var dest = OpenDestination(root, isle, path);
        await using var reader = new TarReader(input, leaveOpen: true);
        int count = 0;
        while (await reader.GetNextEntryAsync(copyData: false, ct) is { } entry)
        {
            var parts = Components(entry.Name, isle);
            if (parts.Count == 0) continue; // "./": the destination itself
            uint uid = Owner(uids, keepOwners ? entry.Uid : 0, "uid", entry.Name), gid = Owner(gids, keepOwners ? entry.Gid : 0, "gid", entry.Name);
            using var parent = WalkParents(dest, parts, uids.ToHost(0) ?? 0, gids.ToHost(0) ?? 0, entry.Name);
            string name = parts[^1];
            uint mode = (uint)entry.Mode & 0xFFF;
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    IsleFileInterop.MakeDirectoryAt(parent, name, 448 /* 0700 until its mode is set */);
                    using (var dir = IsleFileInterop.OpenChild(parent, name, directory: true)
                        ?? throw new IslanderException($"tar entry {entry.Name}: the directory went while it was written", ErrorCategory.Transient))
                    {
                        IsleFileInterop.Chmod(dir, mode);
                        IsleFileInterop.ChownAt(dir, "", uid, gid);
                    }
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    IsleFileInterop.UnlinkAt(parent, name);
                    using (var file = IsleFileInterop.CreateChild(parent, name, 384 /* 0600 until its mode is set */))
                    {
                        // Mode and owner first: the stream below closes the fd when it is done.
                        IsleFileInterop.Chmod(file, mode);
                        IsleFileInterop.ChownAt(file, "", uid, gid);
                        await using var stream = new FileStream(file, FileAccess.Write, 0);
                        if (entry.DataStream is { } data)
                            await data.CopyToAsync(stream, ct);
                    }
                    break;
                case TarEntryType.SymbolicLink:
                    // The target is text the isle resolves from its own root; we never follow it (RESOLVE_NO_SYMLINKS above).
                    IsleFileInterop.UnlinkAt(parent, name);
                    IsleFileInterop.SymlinkAt(entry.LinkName, parent, name);
                    IsleFileInterop.ChownAt(parent, name, uid, gid);
                    break;
                case TarEntryType.HardLink:
                    throw Refused(entry.Name, "is a hard link; cp writes files, directories and symbolic links (copy the file itself)");
                case TarEntryType.CharacterDevice or TarEntryType.BlockDevice or TarEntryType.Fifo:
                    throw Refused(entry.Name, "is a device node or FIFO; cp does not create them (an isle's /dev is its own, as for image layers)");
                default:
                    continue; // pax/GNU metadata entries the reader has already applied
            }
            count++;
        }
        return count;
    }

    static SafeFileHandle OpenDestination(SafeFileHandle root, string isle, string path)
    {
        SafeFileHandle? dest;
        try
        {
            dest = IsleFileInterop.OpenInRoot(root, path, noFollow: false, directory: true);
        }
        catch (SyscallException e) when (e.Errno == Errno.ENOTDIR)
        {
            throw new IslanderException($"extraction point {path} in isle {isle} is not a directory", ErrorCategory.InvalidManifest, e);
        }
        return dest ?? throw NotFound(isle, path);
    }

    /// <summary>An entry's name as components below the destination; refused when it is absolute or climbs out with "..".</summary>
    internal static List<string> Components(string name, string isle)
    {
        if (name.StartsWith('/'))
            throw Refused(name, $"has an absolute name; a tar for isle {isle} holds names relative to the destination");
        var parts = name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToList();
        if (parts.Contains(".."))
            throw Refused(name, "climbs out of the destination with '..'");
        return parts;
    }

    /// <summary>
    /// The directory an entry goes in: each parent component opened below the last, never through a symlink (a tar that
    /// made <c>x -> /etc</c> cannot then write <c>x/passwd</c>), made (owned by the isle's root) when missing.
    /// </summary>
    static SafeFileHandle WalkParents(SafeFileHandle dest, List<string> parts, uint rootUid, uint rootGid, string entry)
    {
        var current = IsleFileInterop.OpenChildPath(dest, ".")!;
        for (int i = 0; i < parts.Count - 1; i++)
        {
            SafeFileHandle? next;
            try
            {
                next = IsleFileInterop.OpenChildPath(current, parts[i]);
                if (next is null)
                {
                    if (IsleFileInterop.MakeDirectoryAt(current, parts[i], 493 /* 0755 */))
                        IsleFileInterop.ChownAt(current, parts[i], rootUid, rootGid);
                    next = IsleFileInterop.OpenChildPath(current, parts[i]);
                }
            }
            catch (SyscallException e) when (e.Errno is Errno.ELOOP or Errno.ENOTDIR or Errno.EXDEV)
            {
                current.Dispose();
                throw Refused(entry, $"goes through {parts[i]}, which is a symbolic link or not a directory; cp never writes through a link", e);
            }
            current.Dispose();
            current = next ?? throw Refused(entry, $"its directory {parts[i]} went while it was written");
        }
        return current;
    }

    static uint Owner(IsleIdMap map, long id, string what, string entry) =>
        map.ToHost(id) ?? throw Refused(entry, $"is owned by {what} {id}, which this isle's user namespace does not map");

    static IslanderException Refused(string entry, string why, Exception? inner = null) =>
        new($"tar entry {entry} {why}: refused", ErrorCategory.InvalidManifest, inner);
}
