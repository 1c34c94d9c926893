using Islander.Drivers.Interop;
using Microsoft.Win32.SafeHandles;

namespace Islander.Drivers.Volumes.Btrfs;

/// <summary>
/// Subvolumes, snapshots and quota groups through ioctls, as btrfs-progs does them, without running <c>btrfs</c>.
/// Every method takes paths; failures are <see cref="SyscallException"/>s naming the ioctl and the path.
/// </summary>
internal static class BtrfsSubvolume
{
    /// <summary>Whether <paramref name="path"/> is on a btrfs filesystem (statfs f_type is BTRFS_SUPER_MAGIC).</summary>
    public static bool IsBtrfs(string path) => FileSystemInterop.Statfs(path).Type == FileSystemStats.BtrfsMagic;

    /// <summary>Whether <paramref name="path"/> is a subvolume's root: a directory on btrfs whose inode number is 256 (btrfs-progs' test_issubvolume).</summary>
    public static bool IsSubvolume(string path) =>
        FileSystemInterop.InodeNumber(path) == BtrfsIoctl.FirstFreeObjectId && Directory.Exists(path) && IsBtrfs(path);

    /// <summary>Equivalent to: btrfs subvolume create PATH. False when something already exists there.</summary>
    public static bool Create(string path)
    {
        var (parent, name) = Split(path);
        return WithDirectory(parent, fd =>
        {
            int errno = BtrfsInterop.Ioctl(fd, BtrfsIoctl.SubvolCreate, BtrfsIoctl.VolArgs(name));
            if (errno == Errno.EEXIST)
                return false;
            Check(errno, "ioctl BTRFS_IOC_SUBVOL_CREATE", path);
            return true;
        });
    }

    /// <summary>Equivalent to: btrfs subvolume snapshot [-r] SOURCE TARGET.</summary>
    public static void Snapshot(string source, string target, bool readOnly)
    {
        var (parent, name) = Split(target);
        WithDirectory(source, sourceFd => WithDirectory(parent, fd =>
        {
            // btrfs_ioctl_vol_args_v2.fd: the number, valid while WithDirectory holds the handle.
            var args = BtrfsIoctl.VolArgsV2(sourceFd.DangerousGetHandle(), readOnly ? BtrfsSubvolFlags.ReadOnly : BtrfsSubvolFlags.None, name);
            Check(BtrfsInterop.Ioctl(fd, BtrfsIoctl.SnapCreateV2, args), "ioctl BTRFS_IOC_SNAP_CREATE_V2", $"{source} -> {target}");
            return 0;
        }));
    }

    /// <summary>
    /// Equivalent to: btrfs subvolume delete PATH. False when nothing is there. BTRFS_IOC_SNAP_DESTROY_V2 by name,
    /// falling back to BTRFS_IOC_SNAP_DESTROY on kernels before 5.7. Read-only snapshots go too (we are root).
    /// Subvolumes nested inside (an isle may make one: creating a subvolume needs no privilege) make the kernel say
    /// ENOTEMPTY; they are then deleted, deepest first, and the delete tried again.
    /// </summary>
    public static bool Delete(string path)
    {
        if (FileSystemInterop.InodeNumber(path) == 0)
            return false;
        var (parent, name) = Split(path);
        int errno = WithDirectory(parent, fd => Destroy(fd, name));
        if (errno == Errno.ENOTEMPTY)
        {
            foreach (var nested in Nested(path))
                Delete(nested);
            errno = WithDirectory(parent, fd => Destroy(fd, name));
        }
        if (errno == Errno.ENOENT)
            return false;
        Check(errno, "ioctl BTRFS_IOC_SNAP_DESTROY_V2", path);
        return true;
    }

    static int Destroy(SafeFileHandle parentFd, string name)
    {
        int errno = BtrfsInterop.Ioctl(parentFd, BtrfsIoctl.SnapDestroyV2, BtrfsIoctl.VolArgsV2(0, BtrfsSubvolFlags.None, name));
        return errno is Errno.ENOTTY or Errno.EOPNOTSUPP
            ? BtrfsInterop.Ioctl(parentFd, BtrfsIoctl.SnapDestroy, BtrfsIoctl.VolArgs(name))
            : errno;
    }

    /// <summary>The id of the subvolume <paramref name="path"/> is in (BTRFS_IOC_INO_LOOKUP with objectid 256, as btrfs-progs' lookup_path_rootid).</summary>
    public static ulong Id(string path) => WithDirectory(path, fd =>
    {
        var args = BtrfsIoctl.InoLookupArgs();
        Check(BtrfsInterop.Ioctl(fd, BtrfsIoctl.InoLookup, args), "ioctl BTRFS_IOC_INO_LOOKUP", path);
        return BtrfsIoctl.InoLookupTreeId(args);
    });

    /// <summary>The filesystem's UUID, its directory name under /sys/fs/btrfs.</summary>
    public static string FilesystemUuid(string path) => WithDirectory(path, fd =>
    {
        var args = new byte[BtrfsIoctl.FsInfoArgsSize];
        Check(BtrfsInterop.Ioctl(fd, BtrfsIoctl.FsInfo, args), "ioctl BTRFS_IOC_FS_INFO", path);
        return BtrfsIoctl.FsInfoUuid(args);
    });

    /// <summary>
    /// Equivalent to: btrfs quota enable PATH; btrfs quota rescan -w PATH. Turning quotas on scans the existing
    /// subvolumes to give each a qgroup; waiting for that scan makes the numbers right before anyone reads them.
    /// </summary>
    public static void EnableQuota(string path) => WithDirectory(path, fd =>
    {
        int errno = BtrfsInterop.Ioctl(fd, BtrfsIoctl.QuotaCtl, BtrfsIoctl.QuotaCtlArgs(BtrfsQuotaCommand.Enable));
        if (errno != Errno.EEXIST)
            Check(errno, "ioctl BTRFS_IOC_QUOTA_CTL ENABLE", path);
        errno = BtrfsInterop.Ioctl(fd, BtrfsIoctl.QuotaRescanWait);
        if (errno != Errno.EINVAL) // Errno.EINVAL: no rescan running
            Check(errno, "ioctl BTRFS_IOC_QUOTA_RESCAN_WAIT", path);
        return 0;
    });

    /// <summary>Equivalent to: btrfs qgroup limit SIZE|none 0/ID PATH (the referenced-bytes limit).</summary>
    public static void Limit(string path, ulong subvolumeId, long? maxReferenced) => WithDirectory(path, fd =>
    {
        var args = BtrfsIoctl.QgroupLimitArgs(BtrfsIoctl.QgroupId(subvolumeId), maxReferenced);
        Check(BtrfsInterop.Ioctl(fd, BtrfsIoctl.QgroupLimit, args), "ioctl BTRFS_IOC_QGROUP_LIMIT", path);
        return 0;
    });

    /// <summary>The subvolumes below <paramref name="path"/> (not itself), deepest first, found by their inode number 256.</summary>
    static IEnumerable<string> Nested(string path)
    {
        var found = new List<string>();
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = false };
        foreach (var dir in Directory.EnumerateDirectories(path, "*", options))
            if (FileSystemInterop.InodeNumber(dir) == BtrfsIoctl.FirstFreeObjectId)
                found.Add(dir);
        return found.OrderByDescending(d => d.Length);
    }

    static (string Parent, string Name) Split(string path) =>
        (Path.GetDirectoryName(path) ?? throw new ArgumentException($"'{path}' has no parent", nameof(path)), Path.GetFileName(path));

    static T WithDirectory<T>(string path, Func<SafeFileHandle, T> action)
    {
        using var fd = FileDescriptorInterop.OpenDirectory(path);
        return action(fd);
    }

    static void Check(int errno, string op, string path)
    {
        if (errno != 0)
            throw new SyscallException(op, path, errno);
    }
}
