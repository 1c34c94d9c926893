using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Tmds.Linux;

namespace Islander.Drivers.Interop;

/// <summary>
/// The opens .NET's File.Open cannot do:
/// <list type="bullet">
/// <item>openat2(2) with RESOLVE_IN_ROOT (Linux 5.6+): opens a path inside a directory tree as if that tree were
/// '/'. The kernel follows every symlink with the tree's root standing in for '/' and clamps '..' at it, atomically,
/// so a hostile image cannot lead a read out of its root filesystem (an /etc/passwd that is a symlink to the host's
/// /etc/shadow reads the image's own file of that name, or nothing).</item>
/// <item>open(2) without the flock .NET takes (LOCK_SH, or LOCK_EX for FileShare.None), which would refuse a
/// reader of a file that one of our own FileStreams still writes.</item>
/// </list>
/// </summary>
internal static unsafe partial class FileInterop
{
    const long SysOpenat2 = 437; // the same number on every architecture (syscall table unification)
    const ulong RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_IN_ROOT = 0x10;
    const int AT_EMPTY_PATH = 0x1000;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenNative(string path, int flags);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Openat2Native(long number, SafeHandle dirfd, byte* path, OpenHow* how, nuint size);

    [StructLayout(LayoutKind.Sequential)]
    struct OpenHow
    {
        public ulong Flags, Mode, Resolve;
    }

    /// <summary>
    /// The bytes of the regular file <paramref name="relative"/> under <paramref name="root"/>, resolved
    /// inside it; null when there is no such file (ENOENT, ENOTDIR). Anything else there (a directory, a
    /// FIFO that would block the daemon, a device that never ends) or a file over <paramref name="maxBytes"/> is an error.
    /// </summary>
    public static byte[]? ReadInRoot(string root, string relative, int maxBytes)
    {
        using var dir = new SafeFileHandle(Errno.Check(OpenNative(root, LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_CLOEXEC), "open", root), ownsHandle: true);
        {
            int fd = Open(dir, root, relative);
            if (fd < 0)
                return null;
            using var handle = new SafeFileHandle(fd, ownsHandle: true);
            string shown = $"{root}/{relative}";
            byte* stx = stackalloc byte[256];
            Check(StatxNative(fd, "", AT_EMPTY_PATH, STATX_TYPE, stx), "statx", shown);
            if ((FileKind)(*(ushort*)(stx + 28) & 0xF000u) != FileKind.Regular) // struct statx: stx_mode @28
                throw new Model.IslanderException($"{shown} is not a regular file", Model.ErrorCategory.InvalidManifest);
            long length = RandomAccess.GetLength(handle);
            if (length > maxBytes)
                throw new Model.IslanderException($"{shown} is {length} bytes, more than the {maxBytes} islander reads", Model.ErrorCategory.InvalidManifest);
            var bytes = new byte[length];
            int read = 0;
            while (read < bytes.Length && RandomAccess.Read(handle, bytes.AsSpan(read), read) is var n and > 0)
                read += n;
            return read == bytes.Length ? bytes : bytes[..read];
        }
    }

    /// <summary>
    /// Equivalent to: open(PATH, O_RDONLY|O_CLOEXEC), with no flock, so a file that a download holds open
    /// (FileShare.None) can be followed while it grows; null when it does not exist (yet).
    /// </summary>
    public static SafeFileHandle? OpenReadUnlocked(string path)
    {
        int fd = OpenNative(path, LibC.O_RDONLY | LibC.O_CLOEXEC);
        if (fd >= 0)
            return new SafeFileHandle(fd, ownsHandle: true);
        int errno = Errno.Last;
        if (errno == Errno.ENOENT)
            return null;
        throw Errno.Exception(errno, "open", path);
    }

    /// <summary>The fd of <paramref name="relative"/> opened read-only inside <paramref name="dir"/>; -1 when it does not exist.</summary>
    static int Open(SafeHandle dir, string root, string relative)
    {
        // O_NONBLOCK: opening a FIFO must not wait for a writer (the fstat check refuses it next).
        var how = new OpenHow { Flags = (ulong)(LibC.O_RDONLY | LibC.O_CLOEXEC | LibC.O_NOCTTY | LibC.O_NONBLOCK), Resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
        byte[] path = System.Text.Encoding.UTF8.GetBytes(relative + "\0");
        for (int attempt = 0; ; attempt++)
        {
            long fd;
            fixed (byte* p = path)
                fd = Openat2Native(SysOpenat2, dir, p, &how, (nuint)sizeof(OpenHow));
            if (fd >= 0)
                return (int)fd;
            int errno = Errno.Last;
            if (errno == Errno.ENOENT || errno == Errno.ENOTDIR)
                return -1;
            // EAGAIN: a rename or mount raced the lookup under RESOLVE_IN_ROOT; the kernel asks for a retry.
            if (errno == Errno.EAGAIN && attempt < 8)
                continue;
            if (errno == Errno.ENOSYS)
                throw new Model.IslanderException($"reading {root}/{relative} needs openat2 (Linux 5.6 or later)", Model.ErrorCategory.Unsupported);
            throw Errno.Exception(errno, "openat2", $"{root}/{relative}");
        }
    }
}
