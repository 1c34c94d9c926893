using Islander.Drivers.Interop;

namespace Islander.Drivers.Volumes;

/// <summary>
/// Walks a volume's tree without following symlinks: copies it with owners, modes and times (the dir driver's
/// snapshots), and adds up its file sizes. Hard links become separate copies and sockets are skipped, as
/// <c>cp -a</c> does for sockets; extended attributes are not copied.
/// </summary>
internal static class VolumeTree
{
    /// <summary>Copies <paramref name="source"/> to <paramref name="target"/>, which must not exist.</summary>
    public static void Copy(string source, string target, CancellationToken cancellationToken)
    {
        var stat = FileInterop.Lstat(source);
        if (stat.Kind != FileKind.Directory)
            throw new VolumeException($"copy {source}: not a directory", Model.ErrorCategory.Conflict);
        CopyDirectory(source, target, stat, cancellationToken);
    }

    /// <summary>The sum of the sizes of the regular files below <paramref name="path"/> (du --apparent-size, in bytes).</summary>
    public static long BytesUsed(string path, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        long total = 0;
        foreach (var entry in Directory.EnumerateFileSystemEntries(path))
        {
            var stat = FileInterop.Lstat(entry);
            if (stat.Kind == FileKind.Directory)
                total += BytesUsed(entry, cancellationToken);
            else if (stat.Kind == FileKind.Regular)
                total += new FileInfo(entry).Length;
        }
        return total;
    }

    static void CopyDirectory(string source, string target, FileStat stat, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Directory.CreateDirectory(target);
        foreach (var entry in Directory.EnumerateFileSystemEntries(source))
        {
            string to = Path.Combine(target, Path.GetFileName(entry));
            var s = FileInterop.Lstat(entry);
            switch (s.Kind)
            {
                case FileKind.Directory:
                    CopyDirectory(entry, to, s, cancellationToken);
                    continue;
                case FileKind.Regular:
                    CopyFile(entry, to);
                    break;
                case FileKind.Symlink:
                    File.CreateSymbolicLink(to, new FileInfo(entry).LinkTarget!);
                    FileInterop.Lchown(to, (int)s.Uid, (int)s.Gid);
                    continue;
                case FileKind.Fifo or FileKind.CharDevice or FileKind.BlockDevice:
                    FileInterop.Mknod(to, s.Kind, s.Mode, s.RdevMajor, s.RdevMinor);
                    break;
                default:
                    continue; // sockets, and whatever vanished since it was listed
            }
            Finish(entry, to, s);
        }
        Finish(source, target, stat);
    }

    /// <summary>Opens the source with O_NOFOLLOW, so a file swapped for a symlink is refused rather than followed.</summary>
    static void CopyFile(string source, string target)
    {
        using var handle = FileDescriptorInterop.OpenNoFollow(source);
        using var from = new FileStream(handle, FileAccess.Read);
        using var to = new FileStream(target, FileMode.CreateNew, FileAccess.Write);
        from.CopyTo(to);
    }

    /// <summary>Owner first (chown clears set-id bits), then mode, then times.</summary>
    static void Finish(string source, string target, FileStat s)
    {
        FileInterop.Lchown(target, (int)s.Uid, (int)s.Gid);
        File.SetUnixFileMode(target, (UnixFileMode)s.Mode);
        var info = s.Kind == FileKind.Directory ? (FileSystemInfo)new DirectoryInfo(source) : new FileInfo(source);
        FileInterop.SetTimes(target, info.LastAccessTimeUtc, info.LastWriteTimeUtc);
    }
}
