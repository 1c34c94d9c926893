using System.Formats.Tar;
using Islander.Drivers.Interop;
using Islander.Model;
using Microsoft.Win32.SafeHandles;

namespace Islander.Drivers.Runtime;

/// <summary>
/// Tar streams out of and into an isle's root (<c>islanderctl cp</c>, Docker's archive endpoints), never leaving it:
/// the path asked for is resolved by the kernel inside the root (openat2 RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS on a
/// dirfd of the isle's /proc/PID/root), and each step below it is one name relative to a directory fd, never through a
/// symlink (<see cref="IsleFileInterop"/>). A symlink in the isle (<c>/x -> /</c>, <c>../../..</c>, one swapped in while
/// the copy runs: CVE-2018-15664) is copied as a link or refused, never followed out. Nothing here runs inside the
/// isle or loads its libraries (CVE-2019-14271: docker cp loaded the container's libnss).
/// </summary>
public static partial class IsleArchive
{
    /// <summary>What is at <paramref name="path"/> in the isle (not following a final symlink); null when nothing is.</summary>
    public static EntryStat? Stat(SafeFileHandle root, string path)
    {
        using var handle = IsleFileInterop.OpenInRoot(root, path, noFollow: true);
        return handle is null ? null : IsleFileInterop.StatAt(handle, "");
    }

    /// <summary>
    /// Writes <paramref name="path"/> (a file, a link, or a directory and everything below it) to <paramref name="output"/>
    /// as a tar stream whose top entry is named after the path's last component, as <c>docker cp</c> does. A final
    /// symlink is copied as the link. Owners are written as the isle sees them (<paramref name="uids"/>, <paramref name="gids"/>).
    /// </summary>
    /// <exception cref="IslanderException">NotFound when nothing is at the path.</exception>
    public static async Task WriteAsync(SafeFileHandle root, string isle, string path, Stream output, IsleIdMap uids, IsleIdMap gids, CancellationToken ct)
    {
        string clean = "/" + path.Trim('/');
        string top = clean == "/" ? "." : Path.GetFileName(clean);
        using var parent = clean == "/" ? null : IsleFileInterop.OpenInRoot(root, Path.GetDirectoryName(clean)!, noFollow: false, directory: true);
        var start = parent ?? root;
        string name = clean == "/" ? "" : top;
        if (clean != "/" && (parent is null || !Exists(start, name)))
            throw NotFound(isle, path);
        await using var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        await EmitAsync(writer, start, name, top, uids, gids, ct);
    }

    static bool Exists(SafeFileHandle dir, string name)
    {
        using var h = IsleFileInterop.OpenInRoot(dir, name, noFollow: true);
        return h is not null;
    }

    static IslanderException NotFound(string isle, string path) =>
        new($"Could not find the file {path} in isle {isle}", ErrorCategory.NotFound);

    static async Task EmitAsync(TarWriter writer, SafeFileHandle parent, string name, string tarName, IsleIdMap uids, IsleIdMap gids, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var st = IsleFileInterop.StatAt(parent, name);
        PaxTarEntry entry;
        switch (st.Kind)
        {
            case FileKind.Directory:
                using (var dir = name.Length == 0 ? null : IsleFileInterop.OpenChildPath(parent, name))
                {
                    var self = dir ?? parent;
                    await writer.WriteEntryAsync(Header(new PaxTarEntry(TarEntryType.Directory, tarName + "/"), st, uids, gids), ct);
                    foreach (var child in List(self))
                        await EmitAsync(writer, self, child, tarName + "/" + child, uids, gids, ct);
                }
                return;
            case FileKind.Regular:
                using (var file = IsleFileInterop.OpenChild(parent, name, directory: false))
                {
                    if (file is null) return; // removed while we copied
                    var now = IsleFileInterop.StatAt(file, "");
                    if (now.Kind != FileKind.Regular) return; // swapped for something else meanwhile: not read
                    await using var data = new FileStream(file, FileAccess.Read, 0);
                    entry = Header(new PaxTarEntry(TarEntryType.RegularFile, tarName), now, uids, gids);
                    entry.DataStream = data;
                    await writer.WriteEntryAsync(entry, ct);
                }
                return;
            case FileKind.Symlink:
                entry = Header(new PaxTarEntry(TarEntryType.SymbolicLink, tarName), st, uids, gids);
                entry.LinkName = IsleFileInterop.ReadLinkAt(parent, name); // a name, never followed
                await writer.WriteEntryAsync(entry, ct);
                return;
            case FileKind.Fifo or FileKind.CharDevice or FileKind.BlockDevice:
                var type = st.Kind switch { FileKind.Fifo => TarEntryType.Fifo, FileKind.CharDevice => TarEntryType.CharacterDevice, _ => TarEntryType.BlockDevice };
                entry = Header(new PaxTarEntry(type, tarName), st, uids, gids);
                if (type != TarEntryType.Fifo)
                {
                    entry.DeviceMajor = (int)st.RdevMajor;
                    entry.DeviceMinor = (int)st.RdevMinor;
                }
                await writer.WriteEntryAsync(entry, ct);
                return;
            default:
                return; // a socket has no content a tar can hold (Docker skips them too)
        }
    }

    /// <summary>The names in a directory, through its fd (the magic link of our own fd reopens exactly that directory).</summary>
    static List<string> List(SafeFileHandle dir)
    {
        var names = new DirectoryInfo($"/proc/self/fd/{dir.DangerousGetHandle()}").EnumerateFileSystemInfos().Select(i => i.Name).ToList();
        GC.KeepAlive(dir);
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    static PaxTarEntry Header(PaxTarEntry entry, EntryStat st, IsleIdMap uids, IsleIdMap gids)
    {
        entry.Mode = (UnixFileMode)(st.Mode & 0xFFF);
        entry.Uid = (int)uids.ToIsle(st.Uid);
        entry.Gid = (int)gids.ToIsle(st.Gid);
        entry.ModificationTime = st.Modified;
        return entry;
    }
}
