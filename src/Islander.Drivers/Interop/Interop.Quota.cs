using System.Runtime.InteropServices;

namespace Islander.Drivers.Interop;

/// <summary>
/// Project quotas (XFS mounted with prjquota, ext4 with the project feature mounted with prjquota): a directory's project
/// id and inherit flag through FS_IOC_FSGETXATTR/FS_IOC_FSSETXATTR, the id's block limit through quotactl_fd(2) on the
/// generic Q_GETQUOTA/Q_SETQUOTA commands, which XFS and ext4 both serve. quotactl_fd takes any fd on the filesystem
/// (Linux 5.14), so no block device has to be found or made, as Docker's and Podman's backingFsBlockDev is.
/// Calls return the errno (0 on success), so callers can tell "not supported here" from a failure.
/// </summary>
internal static unsafe partial class QuotaInterop
{
    const long SysQuotactlFd = 443; // the same number on every architecture (syscall table unification)

    const uint PRJQUOTA = 2;
    const uint Q_GETQUOTA = 0x800007, Q_SETQUOTA = 0x800008;
    const uint Q_XGETQSTATV = ('X' << 8) + 8; // XQM_CMD(8)

    /// <summary>if_dqblk.dqb_valid: the block and inode limits are set.</summary>
    const uint QIF_LIMITS = 1 | 4;

    /// <summary>fs_quota_statv.qs_flags: project quota accounting and enforcement are on (FS_QUOTA_PDQ_ACCT, FS_QUOTA_PDQ_ENFD).</summary>
    public const ushort ProjectAccounting = 0x10, ProjectEnforced = 0x20;

    /// <summary>fsxattr.fsx_xflags: new files and directories take the directory's project id.</summary>
    public const uint ProjectInherit = 0x200; // FS_XFLAG_PROJINHERIT

    static readonly ulong FsGetXattr = Ioc(2, 31), FsSetXattr = Ioc(1, 32);

    /// <summary>_IOR/_IOW('X', number, struct fsxattr).</summary>
    static ulong Ioc(uint direction, uint number) => ((ulong)direction << 30) | ((ulong)sizeof(FsXattr) << 16) | ('X' << 8) | number;

    [StructLayout(LayoutKind.Sequential)]
    struct FsXattr
    {
        public uint XFlags, ExtSize, NExtents, ProjectId, CowExtSize;
        public fixed byte Pad[8];
    }

    /// <summary>struct if_dqblk (linux/quota.h): limits in 1 KiB blocks, usage in bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    struct IfDqblk
    {
        public ulong BlockHardLimit, BlockSoftLimit, CurrentSpace, InodeHardLimit, InodeSoftLimit, CurrentInodes, BlockTime, InodeTime;
        public uint Valid;
    }

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int IoctlNative(SafeHandle fd, ulong request, void* argument);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long QuotactlFdNative(long number, SafeHandle fd, uint command, uint id, void* address);

    /// <summary>A project id's limits and usage, as Q_GETQUOTA reports them.</summary>
    public readonly record struct Usage(ulong BlockHardLimitKiB, ulong BlockSoftLimitKiB, ulong InodeHardLimit, ulong InodeSoftLimit, ulong Bytes, ulong Inodes);

    /// <summary>Equivalent to: xfs_io -c stat DIR (fsxattr.xflags, fsxattr.projid).</summary>
    public static int GetProject(SafeHandle fd, out uint xflags, out uint projectId)
    {
        FsXattr attr;
        int errno = Ioctl(fd, FsGetXattr, &attr);
        (xflags, projectId) = errno == 0 ? (attr.XFlags, attr.ProjectId) : (0u, 0u);
        return errno;
    }

    /// <summary>Equivalent to: xfs_io -c 'chproj ID' -c 'chattr +P' DIR (other attributes kept).</summary>
    public static int SetProject(SafeHandle fd, uint projectId, bool inherit)
    {
        FsXattr attr;
        int errno = Ioctl(fd, FsGetXattr, &attr);
        if (errno != 0)
            return errno;
        attr.ProjectId = projectId;
        attr.XFlags = inherit ? attr.XFlags | ProjectInherit : attr.XFlags & ~ProjectInherit;
        return Ioctl(fd, FsSetXattr, &attr);
    }

    /// <summary>The project quota state of the filesystem holding <paramref name="fd"/> (fs_quota_statv.qs_flags).</summary>
    public static int GetProjectQuotaFlags(SafeHandle fd, out ushort flags)
    {
        // struct fs_quota_statv is 160 bytes; the caller sets qs_version (FS_QSTATV_VERSION1) at offset 0.
        byte* statv = stackalloc byte[160];
        new Span<byte>(statv, 160).Clear();
        statv[0] = 1;
        int errno = Quotactl(fd, Q_XGETQSTATV, PRJQUOTA, 0, statv);
        flags = errno == 0 ? *(ushort*)(statv + 2) : (ushort)0;
        return errno;
    }

    /// <summary>Equivalent to: quota -P ID (xfs_quota -c 'quota -p ID'). ENOENT: the id has no quota record (unused).</summary>
    public static int GetQuota(SafeHandle fd, uint projectId, out Usage usage)
    {
        IfDqblk q = default;
        int errno = Quotactl(fd, Q_GETQUOTA, PRJQUOTA, projectId, &q);
        usage = new Usage(q.BlockHardLimit, q.BlockSoftLimit, q.InodeHardLimit, q.InodeSoftLimit, q.CurrentSpace, q.CurrentInodes);
        return errno;
    }

    /// <summary>Equivalent to: setquota -P ID 0 KIB 0 0 (xfs_quota -c 'limit -p bhard=KIBk ID'); 0 lifts the limit.</summary>
    public static int SetBlockLimit(SafeHandle fd, uint projectId, ulong hardLimitKiB)
    {
        var q = new IfDqblk { BlockHardLimit = hardLimitKiB, Valid = QIF_LIMITS };
        return Quotactl(fd, Q_SETQUOTA, PRJQUOTA, projectId, &q);
    }

    static int Quotactl(SafeHandle fd, uint command, uint type, uint id, void* address) =>
        QuotactlFdNative(SysQuotactlFd, fd, (command << 8) | type, id, address) == -1 ? Errno.Last : 0;

    static int Ioctl(SafeHandle fd, ulong request, void* argument)
    {
        int rc;
        do rc = IoctlNative(fd, request, argument);
        while (rc == -1 && Errno.Last == Errno.EINTR);
        return rc == -1 ? Errno.Last : 0;
    }
}
