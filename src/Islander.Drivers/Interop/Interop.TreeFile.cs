using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Tmds.Linux;

namespace Islander.Drivers.Interop;

/// <summary>
/// Reads one file beneath a directory whose content someone else controls (a git repository's author, whoever writes
/// the manifests directory), as <see cref="Storage.TreeFiles"/> describes.
/// </summary>
internal static unsafe partial class FileInterop
{
    const ulong RESOLVE_BENEATH = 0x08;

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatxFdNative(SafeHandle dirfd, string path, int flags, uint mask, byte* buffer);

    /// <summary>What statx says of an open file: type, size, and the times a writer changes.</summary>
    internal readonly record struct TreeFileStat(FileKind Kind, long Size, long ModifiedSec, uint ModifiedNsec, long ChangedSec, uint ChangedNsec, ulong Inode);

    /// <summary>
    /// openat2(<paramref name="root"/>, <paramref name="relative"/>, O_PATH, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS): an
    /// O_PATH fd (opening it runs no driver's open: a device node or a FIFO is only looked at), or the errno.
    /// </summary>
    internal static int OpenPathBeneath(SafeHandle root, string relative, out SafeFileHandle? file)
    {
        file = null;
        var how = new OpenHow { Flags = (ulong)(LibC.O_PATH | LibC.O_CLOEXEC), Resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS };
        byte[] path = System.Text.Encoding.UTF8.GetBytes(relative + "\0");
        for (int attempt = 0; ; attempt++)
        {
            long fd;
            fixed (byte* p = path)
                fd = Openat2Native(SysOpenat2, root, p, &how, (nuint)sizeof(OpenHow));
            if (fd >= 0)
            {
                file = new SafeFileHandle((nint)fd, ownsHandle: true);
                return 0;
            }
            int errno = Errno.Last;
            // EAGAIN: a rename raced the lookup; the kernel asks for a retry (openat2(2)).
            if (errno == Errno.EAGAIN && attempt < 8)
                continue;
            return errno;
        }
    }

    internal static TreeFileStat Stat(SafeHandle file, string shown)
    {
        byte* stx = stackalloc byte[256];
        Errno.Check(StatxFdNative(file, "", AT_EMPTY_PATH, 0x7FF /* STATX_BASIC_STATS */, stx), "statx", shown);
        // struct statx: stx_mode @28, stx_ino @32, stx_size @40, stx_ctime @96, stx_mtime @112 ({s64 sec, u32 nsec}).
        return new TreeFileStat((FileKind)(*(ushort*)(stx + 28) & 0xF000u), *(long*)(stx + 40),
            *(long*)(stx + 112), *(uint*)(stx + 120), *(long*)(stx + 96), *(uint*)(stx + 104), *(ulong*)(stx + 32));
    }

    /// <summary>
    /// Opens the file an O_PATH fd refers to for reading, through its /proc/self/fd link: the same inode, whatever was
    /// renamed over its path since (runc reopens its O_PATH fds the same way).
    /// </summary>
    internal static SafeFileHandle Reopen(SafeFileHandle pathFd, string shown)
    {
        int fd = OpenNative($"/proc/self/fd/{pathFd.DangerousGetHandle()}", LibC.O_RDONLY | LibC.O_CLOEXEC | LibC.O_NOCTTY | LibC.O_NONBLOCK);
        return new SafeFileHandle(Errno.Check(fd, "open", shown), ownsHandle: true);
    }

    internal static SafeFileHandle OpenDirectory(string path) =>
        new(Errno.Check(OpenNative(path, LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_CLOEXEC), "open", path), ownsHandle: true);
}
