namespace Islander.Drivers.Volumes.Btrfs;

/// <summary>btrfs_qgroup_limit.flags: which of the limits the ioctl sets.</summary>
[Flags]
public enum BtrfsQgroupLimitFlags : ulong
{
    None = 0,

    /// <summary>BTRFS_QGROUP_LIMIT_MAX_RFER: limit referenced bytes.</summary>
    MaxReferenced = 1UL << 0,

    /// <summary>BTRFS_QGROUP_LIMIT_MAX_EXCL: limit exclusive bytes.</summary>
    MaxExclusive = 1UL << 1,
}
