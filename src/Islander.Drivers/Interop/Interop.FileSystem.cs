using System.Runtime.InteropServices;

namespace Islander.Drivers.Interop;

/// <summary>What statfs(2) says about the filesystem holding a path.</summary>
/// <param name="Type">f_type, the filesystem's magic (linux/magic.h).</param>
public readonly record struct FileSystemStats(long Type, long BlockSize, ulong Blocks, ulong BlocksFree, ulong BlocksAvailable)
{
    /// <summary>statfs f_type of btrfs (BTRFS_SUPER_MAGIC).</summary>
    public const long BtrfsMagic = 0x9123683E;

    /// <summary>statfs f_type of XFS (XFS_SUPER_MAGIC) and of ext4 (EXT4_SUPER_MAGIC, shared with ext2 and ext3).</summary>
    public const long XfsMagic = 0x58465342, Ext4Magic = 0xEF53;

    /// <summary>Bytes in use: (f_blocks - f_bfree) * f_bsize, what df shows as Used.</summary>
    public long BytesUsed => (long)(Blocks - BlocksFree) * BlockSize;
}

/// <summary>Filesystem-wide calls: statfs, syncfs, and renameat2's atomic exchange.</summary>
internal static unsafe partial class FileSystemInterop
{
    const int AT_FDCWD = -100;
    const uint RENAME_EXCHANGE = 2;

    [LibraryImport("libc", EntryPoint = "statfs", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatfsNative(string path, long* buffer);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatxNative(int dirfd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatxNative(SafeHandle dirfd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "syncfs", SetLastError = true)]
    private static partial int SyncfsNative(SafeHandle fd);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int IoctlNative(SafeHandle fd, ulong request, int* argument);

    /// <summary>FS_IOC_GETFLAGS and FS_IOC_SETFLAGS (_IOR/_IOW('f', 1/2, long)); the kernel reads and writes an int.</summary>
    const ulong FS_IOC_GETFLAGS = 0x80086601, FS_IOC_SETFLAGS = 0x40086602;

    /// <summary>FS_TOPDIR_FL: chattr's T, the top of a directory hierarchy for ext2/3/4's Orlov allocator.</summary>
    const int TopDirectoryFlag = 0x00020000;

    [LibraryImport("libc", EntryPoint = "renameat2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Renameat2Native(int olddirfd, string oldPath, int newdirfd, string newPath, uint flags);

    /// <summary>Equivalent to: stat -f PATH.</summary>
    public static FileSystemStats Statfs(string path)
    {
        // struct statfs on 64-bit Linux (x86_64, aarch64): 15 words, f_type, f_bsize, f_blocks, f_bfree, f_bavail first.
        long* buffer = stackalloc long[16];
        if (StatfsNative(path, buffer) != 0)
            throw Errno.Exception(Errno.Last, "statfs", path);
        return new FileSystemStats(buffer[0], buffer[1], (ulong)buffer[2], (ulong)buffer[3], (ulong)buffer[4]);
    }

    /// <summary>The inode number of <paramref name="path"/> itself (not following a final symlink); 0 when it does not exist.</summary>
    public static ulong InodeNumber(string path)
    {
        const int AT_SYMLINK_NOFOLLOW = 0x100;
        const uint STATX_INO = 0x100;
        byte* buffer = stackalloc byte[256];
        if (StatxNative(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_INO, buffer) != 0)
        {
            int errno = Errno.Last;
            if (errno is Errno.ENOENT or Errno.ENOTDIR)
                return 0;
            throw Errno.Exception(errno, "statx", path);
        }
        return *(ulong*)(buffer + 32); // struct statx: stx_ino @32
    }

    /// <summary>The inode number of the open file <paramref name="fd"/> (statx AT_EMPTY_PATH): still its own after a rename.</summary>
    public static ulong InodeNumber(SafeHandle fd)
    {
        const int AT_EMPTY_PATH = 0x1000;
        const uint STATX_INO = 0x100;
        byte* buffer = stackalloc byte[256];
        Errno.Check(StatxNative(fd, "", AT_EMPTY_PATH, STATX_INO, buffer), "statx", "open file");
        return *(ulong*)(buffer + 32); // struct statx: stx_ino @32
    }

    /// <summary>Equivalent to: sync -f PATH (commits the filesystem's transaction, so btrfs qgroup numbers are current).</summary>
    public static void Syncfs(string path)
    {
        using var fd = FileDescriptorInterop.OpenDirectory(path);
        Errno.Check(SyncfsNative(fd), "syncfs", path);
    }

    /// <summary>
    /// Equivalent to: chattr +T DIR (FS_IOC_SETFLAGS, the other flags kept). False where the filesystem refuses it: only
    /// ext2/3/4 have the flag (XFS, btrfs and tmpfs answer EOPNOTSUPP, EINVAL or ENOTTY). A placement hint, so no error
    /// of it is thrown.
    /// </summary>
    public static bool TryMarkTopDirectory(string directory)
    {
        using var fd = FileDescriptorInterop.OpenDirectory(directory);
        int flags = 0;
        if (IoctlNative(fd, FS_IOC_GETFLAGS, &flags) != 0)
            return false;
        if ((flags & TopDirectoryFlag) != 0)
            return true;
        flags |= TopDirectoryFlag;
        return IoctlNative(fd, FS_IOC_SETFLAGS, &flags) == 0;
    }

    /// <summary>Swaps two paths in one step (renameat2 RENAME_EXCHANGE): each name then points at what the other did.</summary>
    public static void Exchange(string a, string b)
    {
        if (Renameat2Native(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) != 0)
            throw Errno.Exception(Errno.Last, "renameat2 RENAME_EXCHANGE", $"{a} <-> {b}");
    }
}
