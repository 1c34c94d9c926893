using System.Runtime.InteropServices;

namespace Islander.Drivers.Interop;

/// <summary>
/// ioctl(2) on a directory of a btrfs filesystem. The argument structures are encoded and decoded as bytes
/// by BtrfsIoctl (Volumes/Btrfs), which is pure and unit-tested; this file only makes the call.
/// </summary>
internal static unsafe partial class BtrfsInterop
{
    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int IoctlNative(SafeHandle fd, ulong request, byte* argument);

    /// <summary>ioctl(fd, request, args); returns 0 or the errno, so callers can treat EEXIST and ENOENT as "already done".</summary>
    public static int Ioctl(SafeHandle fd, ulong request, Span<byte> arguments)
    {
        fixed (byte* p = arguments)
        {
            int rc;
            do rc = IoctlNative(fd, request, p);
            while (rc == -1 && Errno.Last == Errno.EINTR);
            return rc == -1 ? Errno.Last : 0;
        }
    }

    /// <summary>An ioctl without an argument (_IO), such as BTRFS_IOC_QUOTA_RESCAN_WAIT.</summary>
    public static int Ioctl(SafeHandle fd, ulong request)
    {
        int rc;
        do rc = IoctlNative(fd, request, null);
        while (rc == -1 && Errno.Last == Errno.EINTR);
        return rc == -1 ? Errno.Last : 0;
    }
}
