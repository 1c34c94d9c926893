namespace Islander.Drivers.Volumes.Btrfs;

/// <summary>btrfs_ioctl_quota_ctl_args.cmd.</summary>
public enum BtrfsQuotaCommand : ulong
{
    /// <summary>BTRFS_QUOTA_CTL_ENABLE: full qgroup accounting.</summary>
    Enable = 1,

    /// <summary>BTRFS_QUOTA_CTL_DISABLE.</summary>
    Disable = 2,
}
