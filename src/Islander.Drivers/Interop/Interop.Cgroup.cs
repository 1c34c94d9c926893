using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Tmds.Linux;

namespace Islander.Drivers.Interop;

/// <summary>
/// The syscalls the cgroup drivers make. They return the errno (0 on success) instead of throwing, because
/// the callers turn some errnos into "already done" (EEXIST, ENOENT, ESRCH) and name file and value in the rest.
/// </summary>
internal static unsafe partial class CgroupInterop
{
    /// <summary>statfs f_type of a cgroup v2 mount (include/uapi/linux/magic.h).</summary>
    public const long Cgroup2SuperMagic = 0x63677270;

    /// <summary>statfs f_type of a cgroup v1 hierarchy.</summary>
    public const long CgroupSuperMagic = 0x27e0eb;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenNative(string path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint WriteNative(SafeHandle fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "mkdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MkdirNative(string path, uint mode);

    [LibraryImport("libc", EntryPoint = "rmdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RmdirNative(string path);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int KillNative(int pid, int signal);

    /// <summary>Equivalent to: echo -n VALUE &gt; PATH, in one write(2) (a control file parses each write whole).</summary>
    public static int WriteFile(string path, string value)
    {
        // "\n" for an empty value: a zero-length write never reaches the cgroup's parser.
        byte[] bytes = Encoding.UTF8.GetBytes(value.Length == 0 ? "\n" : value);
        int fd = OpenNative(path, LibC.O_WRONLY | LibC.O_TRUNC | LibC.O_CLOEXEC, 0);
        if (fd < 0)
            return Errno.Last;
        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        fixed (byte* b = bytes)
        {
            nint n;
            do n = WriteNative(handle, b, bytes.Length);
            while (n < 0 && Errno.Last == Errno.EINTR);
            return n < 0 ? Errno.Last : 0;
        }
    }

    public static int MakeDirectory(string path) => MkdirNative(path, 0b111_101_101) == 0 ? 0 : Errno.Last;

    public static int RemoveDirectory(string path) => RmdirNative(path) == 0 ? 0 : Errno.Last;

    public static int Kill(int pid, int signal) => KillNative(pid, signal) == 0 ? 0 : Errno.Last;

    public const int SigKill = PidfdInterop.SIGKILL;

    /// <summary>statx(2) of <paramref name="path"/>, following symlinks: whether it is a block device, and its rdev.</summary>
    public static int StatDevice(string path, out bool isBlockDevice, out uint major, out uint minor)
    {
        isBlockDevice = false;
        major = minor = 0;
        try
        {
            var stat = FileInterop.Stat(path);
            if (stat.Kind == FileKind.Missing)
                return Errno.ENOENT;
            isBlockDevice = stat.Kind == FileKind.BlockDevice;
            major = stat.RdevMajor;
            minor = stat.RdevMinor;
            return 0;
        }
        catch (SyscallException e)
        {
            return e.Errno;
        }
    }

    /// <summary>statfs(2) f_type of the filesystem holding <paramref name="path"/>.</summary>
    public static int FileSystemType(string path, out long type)
    {
        try
        {
            type = FileSystemInterop.Statfs(path).Type;
            return 0;
        }
        catch (SyscallException e)
        {
            type = 0;
            return e.Errno;
        }
    }
}
