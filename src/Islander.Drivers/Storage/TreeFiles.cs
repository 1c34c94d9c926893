using Islander.Drivers.Interop;
using Microsoft.Win32.SafeHandles;

namespace Islander.Drivers.Storage;

/// <summary>What <see cref="TreeFiles.Read"/> found: the content, or why there is none (a sentence for the user).</summary>
public sealed record TreeFileRead(byte[]? Content, string? Problem);

/// <summary>
/// Reads a file named inside a tree whose author is not trusted: a git repository's, the manifests directory's. The
/// tree's author chooses the path, the symlinks, the file's type and size, and may rewrite it while it is read.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>The path is resolved by the kernel beneath the tree's root, atomically: openat2 RESOLVE_BENEATH refuses any
/// <c>..</c>, absolute symlink or relative symlink that leads out (EXDEV), and RESOLVE_NO_MAGICLINKS a /proc link, so
/// <c>configFile: ../../etc/shadow</c> or a committed <c>nginx.conf -> /etc/shadow</c> reads nothing, and a symlink
/// swapped in during the lookup cannot lead out either (the race of CVE-2018-15664). Symlinks that stay inside work.</item>
/// <item>It is opened O_PATH first and looked at: only a regular file is opened for reading (through its fd, the same
/// inode), so a FIFO cannot block the daemon and a device node's open is never run.</item>
/// <item>Its size is checked before reading, and the read stops one byte past the limit should it grow meanwhile.</item>
/// <item>Size, mtime and ctime are compared before and after the read: a file written meanwhile is reported (read it
/// again at the next scan) rather than applied half-written. A file renamed over the path meanwhile does not matter:
/// the read follows the inode it opened.</item>
/// </list>
/// </remarks>
public static class TreeFiles
{
    /// <summary>Opens the tree's root once, so every file of one load is resolved beneath the same directory.</summary>
    public static SafeFileHandle OpenRoot(string root) => FileInterop.OpenDirectory(root);

    /// <summary>
    /// The content of <paramref name="relative"/> beneath <paramref name="root"/> (an fd from <see cref="OpenRoot"/>),
    /// at most <paramref name="maxBytes"/>; or the problem, which names <paramref name="shown"/>.
    /// </summary>
    public static TreeFileRead Read(SafeFileHandle root, string relative, int maxBytes, string shown)
    {
        int errno = FileInterop.OpenPathBeneath(root, relative, out var path);
        if (errno != 0)
            return new(null, errno switch
            {
                Errno.ENOENT => $"{shown} does not exist; put the file beside the manifest (the path is relative to the manifest's directory)",
                Errno.ENOTDIR => $"{shown} does not exist: a part of its path is not a directory",
                Errno.EXDEV => $"{shown} leads out of the manifests' tree (through \"..\" or a symlink); a config file must be inside the tree, and a symlink relative and inside it too",
                Errno.ELOOP => $"{shown} goes through too many symlinks",
                Errno.ENOSYS => $"reading {shown} needs openat2 (Linux 5.6 or later)",
                _ => $"cannot open {shown}: {Errno.Describe(errno)}",
            });
        using (path)
        {
            try
            {
                return ReadOpen(path!, maxBytes, shown);
            }
            catch (SyscallException e)
            {
                return new(null, $"cannot read {shown}: {e.Message}");
            }
        }
    }

    static TreeFileRead ReadOpen(SafeFileHandle path, int maxBytes, string shown)
    {
        {
            var before = FileInterop.Stat(path, shown);
            if (before.Kind != FileKind.Regular)
                return new(null, $"{shown} is a {Describe(before.Kind)}, not a regular file");
            if (before.Size > maxBytes)
                return new(null, TooLarge(shown, before.Size, maxBytes));
            using var file = FileInterop.Reopen(path, shown);
            var buffer = new byte[Math.Min(before.Size, maxBytes) + 1];
            int read = 0;
            while (read < buffer.Length && RandomAccess.Read(file, buffer.AsSpan(read), read) is var n and > 0)
                read += n;
            if (read > maxBytes)
                return new(null, TooLarge(shown, read, maxBytes));
            var after = FileInterop.Stat(file, shown);
            if (after != before || read != before.Size)
                return new(null, $"{shown} changed while it was read; it is read again at the next scan");
            return new(buffer[..read], null);
        }
    }

    static string TooLarge(string shown, long size, int max) =>
        $"{shown} is {Model.ByteSize.Format(size)} or more; a config file may be at most {Model.ByteSize.Format(max)}: keep larger data in a volume or the image";

    static string Describe(FileKind kind) => kind switch
    {
        FileKind.Directory => "directory",
        FileKind.Fifo => "FIFO",
        FileKind.CharDevice or FileKind.BlockDevice => "device node",
        FileKind.Socket => "socket",
        _ => "special file",
    };
}
