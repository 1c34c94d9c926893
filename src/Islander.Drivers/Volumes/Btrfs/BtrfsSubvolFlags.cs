namespace Islander.Drivers.Volumes.Btrfs;

/// <summary>btrfs_ioctl_vol_args_v2.flags (linux/btrfs.h).</summary>
[Flags]
public enum BtrfsSubvolFlags : ulong
{
    None = 0,

    /// <summary>BTRFS_SUBVOL_RDONLY: the new snapshot is read-only.</summary>
    ReadOnly = 1UL << 1,

    /// <summary>BTRFS_SUBVOL_SPEC_BY_ID: SNAP_DESTROY_V2 takes subvolid instead of a name.</summary>
    SpecById = 1UL << 4,
}
