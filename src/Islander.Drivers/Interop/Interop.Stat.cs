using Tmds.Linux;

namespace Islander.Drivers.Interop;

/// <summary>fstat(2) of an open fd: the (device, inode) pair that names a pipe, socket or file.</summary>
internal static unsafe class StatInterop
{
    /// <summary>st_dev and st_ino of <paramref name="fd"/>; null when the fd is not open (EBADF).</summary>
    public static (ulong Device, ulong Inode)? Identity(int fd)
    {
        stat st;
        if (LibC.fstat(fd, &st) != 0) return null;
        return ((ulong)st.st_dev, (ulong)st.st_ino);
    }
}
