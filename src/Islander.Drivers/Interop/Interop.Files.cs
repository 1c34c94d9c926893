using System.Runtime.InteropServices;

namespace Islander.Drivers.Interop;

/// <summary>File types of st_mode (sys/stat.h).</summary>
public enum FileKind : uint
{
    Missing = 0,
    Fifo = 0x1000,        // S_IFIFO
    CharDevice = 0x2000,  // S_IFCHR
    Directory = 0x4000,   // S_IFDIR
    BlockDevice = 0x6000, // S_IFBLK
    Regular = 0x8000,     // S_IFREG
    Symlink = 0xA000,     // S_IFLNK
    Socket = 0xC000,      // S_IFSOCK
}

/// <summary>What lstat says about a path; Kind is Missing when there is nothing there.</summary>
public readonly record struct FileStat(FileKind Kind, uint Mode, uint Uid, uint Gid, uint RdevMajor, uint RdevMinor);

/// <summary>The file calls .NET has no API for, none of which follows a final symlink: statx, mknod, lchown, link, l*xattr, utimensat.</summary>
internal static unsafe partial class FileInterop
{
    const int AT_FDCWD = -100;
    const int AT_SYMLINK_NOFOLLOW = 0x100;
    const uint STATX_TYPE = 1, STATX_MODE = 2;
    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatxNative(int dirfd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "mknodat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MknodatNative(int dirfd, string path, uint mode, ulong dev);

    [LibraryImport("libc", EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LchownNative(string path, uint uid, uint gid);

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LinkNative(string oldPath, string newPath);

    [LibraryImport("libc", EntryPoint = "lsetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LsetxattrNative(string path, string name, byte* value, nuint size, int flags);

    [LibraryImport("libc", EntryPoint = "lgetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint LgetxattrNative(string path, string name, byte* value, nuint size);

    [LibraryImport("libc", EntryPoint = "utimensat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int UtimensatNative(int dirfd, string path, long* times, int flags);

    [LibraryImport("libc", EntryPoint = "realpath", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint RealpathNative(string path, nint resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void FreeNative(nint pointer);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GeteuidNative();

    public static bool IsRoot => GeteuidNative() == 0;

    /// <summary>The type and permission bits of <paramref name="path"/> without following a final symlink; Missing when it does not exist.</summary>
    public static FileStat Lstat(string path) => Statx(path, AT_SYMLINK_NOFOLLOW);

    /// <summary>As <see cref="Lstat"/>, following every symlink (stat(2)).</summary>
    public static FileStat Stat(string path) => Statx(path, 0);

    static FileStat Statx(string path, int flags)
    {
        byte* buffer = stackalloc byte[256];
        if (StatxNative(AT_FDCWD, path, flags, STATX_TYPE | STATX_MODE, buffer) != 0)
        {
            int errno = Errno.Last;
            if (errno is Errno.ENOENT or Errno.ENOTDIR)
                return default;
            Errno.Throw(errno, "statx", path);
        }
        ushort mode = *(ushort*)(buffer + 28);
        // struct statx (linux/stat.h): stx_uid @20, stx_gid @24, stx_mode @28, stx_rdev_major @128, stx_rdev_minor @132.
        return new FileStat((FileKind)(mode & 0xF000u), mode & 0xFFFu, *(uint*)(buffer + 20), *(uint*)(buffer + 24), *(uint*)(buffer + 128), *(uint*)(buffer + 132));
    }

    /// <summary>Equivalent to: realpath PATH (every symlink followed); null when it does not resolve.</summary>
    public static string? RealPath(string path)
    {
        nint p = RealpathNative(path, 0);
        if (p == 0)
            return null;
        try
        {
            return Marshal.PtrToStringUTF8(p);
        }
        finally
        {
            FreeNative(p);
        }
    }

    /// <summary>Equivalent to: mknod PATH c|b MAJOR MINOR (or p).</summary>
    public static void Mknod(string path, FileKind kind, uint permissions, uint major, uint minor)
    {
        ulong dev = ((ulong)(major & 0xfffff000) << 32) | ((ulong)(major & 0xfff) << 8)
                  | ((ulong)(minor & 0xffffff00) << 12) | (minor & 0xff); // glibc's makedev
        Check(MknodatNative(AT_FDCWD, path, (uint)kind | (permissions & 0xFFF), dev), "mknod", path);
    }

    /// <summary>Equivalent to: chown -h UID:GID PATH.</summary>
    public static void Lchown(string path, int uid, int gid) =>
        Check(LchownNative(path, (uint)uid, (uint)gid), "lchown", path);

    /// <summary>Equivalent to: ln OLD NEW (a hard link to OLD itself, never to what a symlink OLD points to).</summary>
    public static void Link(string oldPath, string newPath) =>
        Check(LinkNative(oldPath, newPath), "link", $"{oldPath} -> {newPath}");

    /// <summary>Equivalent to: setfattr -h -n NAME -v VALUE PATH. Returns the errno instead of throwing, so callers can decide what "reasonable" is.</summary>
    public static int TrySetXattr(string path, string name, ReadOnlySpan<byte> value)
    {
        fixed (byte* v = value)
            return LsetxattrNative(path, name, v, (nuint)value.Length, 0) == 0 ? 0 : Errno.Last;
    }

    public static void SetXattr(string path, string name, ReadOnlySpan<byte> value)
    {
        Errno.ThrowIfError(TrySetXattr(path, name, value), $"lsetxattr {name}", path);
    }

    /// <summary>The value of an extended attribute, or null when it is not set.</summary>
    public static byte[]? GetXattr(string path, string name)
    {
        byte* buffer = stackalloc byte[4096];
        nint n = LgetxattrNative(path, name, buffer, 4096);
        if (n < 0)
        {
            int errno = Errno.Last;
            if (errno == Errno.ENODATA)
                return null;
            Errno.Throw(errno, $"lgetxattr {name}", path);
        }
        return new ReadOnlySpan<byte>(buffer, (int)n).ToArray();
    }

    /// <summary>Sets access and modification times of PATH itself (a symlink too), to the nanosecond.</summary>
    public static void SetTimes(string path, DateTimeOffset atime, DateTimeOffset mtime)
    {
        long* times = stackalloc long[4];
        (times[0], times[1]) = Split(atime);
        (times[2], times[3]) = Split(mtime);
        Check(UtimensatNative(AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW), "utimensat", path);
    }

    static void Check(int rc, string op, string path) => Errno.Check(rc, op, path);

    static (long Sec, long Nsec) Split(DateTimeOffset t)
    {
        long ticks = t.UtcTicks - DateTime.UnixEpoch.Ticks;
        long sec = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out long rem);
        if (rem < 0)
        {
            sec--;
            rem += TimeSpan.TicksPerSecond;
        }
        return (sec, rem * 100);
    }
}
