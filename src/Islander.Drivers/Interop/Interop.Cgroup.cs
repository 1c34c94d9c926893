using System.Runtime.InteropServices;
using System.Text;
using Tmds.Linux;

namespace Islander.Drivers.Interop;

/// <summary>
/// The syscalls the cgroup drivers make. They return the errno (0 on success) instead of throwing, because
/// the callers turn some errnos into "already done" (EEXIST, ENOENT, ESRCH) and name file and value in the rest.
/// </summary>
internal static unsafe class CgroupSyscalls
{
    /// <summary>statfs f_type of a cgroup v2 mount (include/uapi/linux/magic.h).</summary>
    public const long Cgroup2SuperMagic = 0x63677270;

    /// <summary>statfs f_type of a cgroup v1 hierarchy.</summary>
    public const long CgroupSuperMagic = 0x27e0eb;

    /// <summary>Equivalent to: echo -n VALUE &gt; PATH, in one write(2) (a control file parses each write whole).</summary>
    public static int WriteFile(string path, string value)
    {
        // "\n" for an empty value: a zero-length write never reaches the cgroup's parser.
        byte[] bytes = Encoding.UTF8.GetBytes(value.Length == 0 ? "\n" : value);
        int fd;
        fixed (byte* p = Utf8(path))
            fd = LibC.open(p, LibC.O_WRONLY | LibC.O_TRUNC | LibC.O_CLOEXEC, 0);
        if (fd < 0)
            return LibC.errno;
        int err = 0;
        fixed (byte* b = bytes)
        {
            long n;
            do n = LibC.write(fd, b, bytes.Length);
            while (n < 0 && LibC.errno == LibC.EINTR);
            if (n < 0)
                err = LibC.errno;
        }
        _ = LibC.close(fd);
        return err;
    }

    public static int MakeDirectory(string path)
    {
        fixed (byte* p = Utf8(path))
            return LibC.mkdir(p, 0b111_101_101) == 0 ? 0 : LibC.errno;
    }

    public static int RemoveDirectory(string path)
    {
        fixed (byte* p = Utf8(path))
            return LibC.rmdir(p) == 0 ? 0 : LibC.errno;
    }

    public static int Kill(int pid, int signal) => LibC.kill(pid, signal) == 0 ? 0 : LibC.errno;

    public static int SigKill => LibC.SIGKILL;

    /// <summary>statx(2) of <paramref name="path"/>, following symlinks: whether it is a block device, and its rdev.</summary>
    public static int StatDevice(string path, out bool isBlockDevice, out uint major, out uint minor)
    {
        statx st;
        isBlockDevice = false;
        major = minor = 0;
        fixed (byte* p = Utf8(path))
            if (LibC.statx(LibC.AT_FDCWD, p, 0, LibC.STATX_TYPE, &st) != 0)
                return LibC.errno;
        isBlockDevice = (st.stx_mode & 0xF000) == 0x6000; // S_IFMT, S_IFBLK
        major = st.stx_rdev_major;
        minor = st.stx_rdev_minor;
        return 0;
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

    static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s + "\0");
}
