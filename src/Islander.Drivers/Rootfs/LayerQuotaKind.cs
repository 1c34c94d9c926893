namespace Islander.Drivers.Rootfs;

/// <summary>How the state directory's filesystem limits an isle's writable layer.</summary>
public enum LayerQuotaKind
{
    /// <summary>It cannot: isles that ask for a disk limit fail to start (Unsupported).</summary>
    None,

    /// <summary>XFS mounted with prjquota, or ext4 with the project feature mounted with prjquota: a project quota.</summary>
    Project,

    /// <summary>btrfs: the layer is a subvolume with a qgroup limit, as the btrfs volume driver makes volumes.</summary>
    Btrfs,
}
