using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Islander.Drivers.Interop;

/// <summary>What statx says about one entry (not following a final symlink): for the tar headers of <c>islanderctl cp</c>.</summary>
public readonly record struct EntryStat(FileKind Kind, uint Mode, uint Uid, uint Gid, long Size, DateTimeOffset Modified, uint RdevMajor, uint RdevMinor);

/// <summary>
/// File calls relative to directory fds, for copying into and out of an isle (<c>islanderctl cp</c>) without ever
/// resolving a path the isle controls against the host's root. The isle's root is a dirfd of /proc/PID/root; a path from
/// the user is opened with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), so the kernel resolves every symlink and
/// '..' with that root as '/', atomically; every step below it is one name relative to a dirfd, opened with
/// RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS and O_NOFOLLOW. A link swapped in while a copy runs
/// (Docker's CVE-2018-15664, a symlink-exchange race against a path resolved first and used later) is then an ELOOP or
/// ENOTDIR error, never a read or write outside the isle.
/// </summary>
internal static unsafe partial class IsleFileInterop
{
    const long SysOpenat2 = 437;
    const ulong RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_NO_SYMLINKS = 0x04, RESOLVE_BENEATH = 0x08, RESOLVE_IN_ROOT = 0x10;
    const int AT_EMPTY_PATH = 0x1000, AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200;
    const int O_PATH = 0x200000, O_DIRECTORY = 0x10000, O_NOFOLLOW = 0x20000, O_CLOEXEC = 0x80000, O_RDONLY = 0, O_WRONLY = 1,
        O_CREAT = 0x40, O_EXCL = 0x80, O_NONBLOCK = 0x800;
    const uint STATX_BASIC = 0x7ff;

    [StructLayout(LayoutKind.Sequential)]
    struct OpenHow
    {
        public ulong Flags, Mode, Resolve;
    }

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Openat2Native(long number, int dirfd, byte* path, OpenHow* how, nuint size);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenNative(string path, int flags);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatxNative(int dirfd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "readlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint ReadlinkatNative(int dirfd, string path, byte* buffer, nuint size);

    [LibraryImport("libc", EntryPoint = "mkdirat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MkdiratNative(int dirfd, string path, uint mode);

    [LibraryImport("libc", EntryPoint = "symlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SymlinkatNative(string target, int dirfd, string path);

    [LibraryImport("libc", EntryPoint = "unlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int UnlinkatNative(int dirfd, string path, int flags);

    [LibraryImport("libc", EntryPoint = "fchownat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int FchownatNative(int dirfd, string path, uint uid, uint gid, int flags);

    [LibraryImport("libc", EntryPoint = "fchmod", SetLastError = true)]
    private static partial int FchmodNative(int fd, uint mode);

    /// <summary>Equivalent to: open("/proc/PID/root", O_PATH|O_DIRECTORY): the isle's root, as its init sees it (its mounts included).</summary>
    public static SafeFileHandle OpenProcessRoot(int pid)
    {
        string path = $"/proc/{pid}/root";
        return new SafeFileHandle(Errno.Check(OpenNative(path, O_PATH | O_DIRECTORY | O_CLOEXEC), "open", path), ownsHandle: true);
    }

    /// <summary>
    /// openat2(root, path, O_PATH | (noFollow ? O_NOFOLLOW : 0), RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS): <paramref name="path"/>
    /// as the isle would resolve it from its '/', symlinks and '..' clamped at its root. Null when it does not exist.
    /// </summary>
    public static SafeFileHandle? OpenInRoot(SafeFileHandle root, string path, bool noFollow, bool directory = false)
    {
        int flags = O_PATH | O_CLOEXEC | (noFollow ? O_NOFOLLOW : 0) | (directory ? O_DIRECTORY : 0);
        return Openat2(root, path.Length == 0 ? "/" : path, flags, 0, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS, path);
    }

    /// <summary>One name below <paramref name="dir"/>, never through a symlink (the name itself included): for reading (a regular file, O_NONBLOCK so a FIFO swapped in cannot block) or listing (a directory).</summary>
    public static SafeFileHandle? OpenChild(SafeFileHandle dir, string name, bool directory) =>
        Openat2(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | (directory ? O_DIRECTORY : 0), 0, Beneath, name);

    /// <summary>A directory fd of <paramref name="name"/> below <paramref name="dir"/>, not through a symlink; null when missing.</summary>
    public static SafeFileHandle? OpenChildPath(SafeFileHandle dir, string name) =>
        Openat2(dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0, Beneath, name);

    /// <summary>Creates the regular file <paramref name="name"/> below <paramref name="dir"/> (O_CREAT|O_EXCL|O_NOFOLLOW): never an existing file, never through a link.</summary>
    public static SafeFileHandle CreateChild(SafeFileHandle dir, string name, uint mode) =>
        Openat2(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode, Beneath, name)
        ?? throw Errno.Exception(Errno.ENOENT, "openat2", name);

    const ulong Beneath = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;

    static SafeFileHandle? Openat2(SafeFileHandle dir, string path, int flags, uint mode, ulong resolve, string shown)
    {
        var how = new OpenHow { Flags = (ulong)flags, Mode = mode, Resolve = resolve };
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        bool added = false;
        dir.DangerousAddRef(ref added);
        try
        {
            fixed (byte* p = bytes)
            {
                long fd = Openat2Native(SysOpenat2, (int)dir.DangerousGetHandle(), p, &how, (nuint)sizeof(OpenHow));
                if (fd >= 0)
                    return new SafeFileHandle((nint)fd, ownsHandle: true);
            }
            int errno = Errno.Last;
            if (errno == Errno.ENOENT)
                return null;
            throw Errno.Exception(errno, "openat2", shown);
        }
        finally
        {
            if (added) dir.DangerousRelease();
        }
    }

    /// <summary>statx of <paramref name="name"/> below <paramref name="dir"/> (not following it); of the fd itself for "".</summary>
    public static EntryStat StatAt(SafeFileHandle dir, string name)
    {
        byte* b = stackalloc byte[256];
        Errno.Check(Keep(dir, StatxNative(Fd(dir), name, AT_SYMLINK_NOFOLLOW | (name.Length == 0 ? AT_EMPTY_PATH : 0), STATX_BASIC, b)), "statx", name);
        // struct statx: stx_uid @20, stx_gid @24, stx_mode @28, stx_size @40, stx_mtime @112 (tv_sec i64, tv_nsec u32), stx_rdev @128.
        ushort mode = *(ushort*)(b + 28);
        var modified = DateTimeOffset.FromUnixTimeSeconds(*(long*)(b + 112)).AddTicks(*(uint*)(b + 120) / 100);
        return new EntryStat((FileKind)(mode & 0xF000u), mode & 0xFFFu, *(uint*)(b + 20), *(uint*)(b + 24), *(long*)(b + 40), modified,
            *(uint*)(b + 128), *(uint*)(b + 132));
    }

    /// <summary>The target of the symlink <paramref name="name"/> below <paramref name="dir"/>, as text (never followed).</summary>
    public static string ReadLinkAt(SafeFileHandle dir, string name)
    {
        byte* buffer = stackalloc byte[4096];
        nint n = Keep(dir, ReadlinkatNative(Fd(dir), name, buffer, 4096));
        if (n < 0) Errno.Throw(Errno.Last, "readlinkat", name);
        return System.Text.Encoding.UTF8.GetString(buffer, (int)n);
    }

    /// <summary>mkdirat; false when something of that name exists already.</summary>
    public static bool MakeDirectoryAt(SafeFileHandle dir, string name, uint mode)
    {
        if (Keep(dir, MkdiratNative(Fd(dir), name, mode)) == 0) return true;
        int errno = Errno.Last;
        if (errno == Errno.EEXIST) return false;
        throw Errno.Exception(errno, "mkdirat", name);
    }

    public static void SymlinkAt(string target, SafeFileHandle dir, string name) =>
        Errno.Check(Keep(dir, SymlinkatNative(target, Fd(dir), name)), "symlinkat", name);

    /// <summary>Removes the non-directory <paramref name="name"/> below <paramref name="dir"/> if there is one (the link itself, never its target).</summary>
    public static void UnlinkAt(SafeFileHandle dir, string name)
    {
        if (Keep(dir, UnlinkatNative(Fd(dir), name, 0)) == 0) return;
        int errno = Errno.Last;
        if (errno != Errno.ENOENT) throw Errno.Exception(errno, "unlinkat", name);
    }

    /// <summary>lchown of <paramref name="name"/> below <paramref name="dir"/> (a link's own owner, not its target's).</summary>
    public static void ChownAt(SafeFileHandle dir, string name, uint uid, uint gid) =>
        Errno.Check(Keep(dir, FchownatNative(Fd(dir), name, uid, gid, AT_SYMLINK_NOFOLLOW | (name.Length == 0 ? AT_EMPTY_PATH : 0))), "fchownat", name);

    /// <summary>fchmod: the mode of an open file, whatever umask made it with.</summary>
    public static void Chmod(SafeFileHandle file, uint mode) => Errno.Check(Keep(file, FchmodNative(Fd(file), mode)), "fchmod", null);

    // The handles are ours and stay open for the call (Keep holds them alive until it returns): no AddRef needed.
    static int Fd(SafeFileHandle handle) => (int)handle.DangerousGetHandle();

    static T Keep<T>(SafeFileHandle handle, T result)
    {
        GC.KeepAlive(handle);
        return result;
    }
}
