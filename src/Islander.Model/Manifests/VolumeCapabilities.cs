namespace Islander.Model;

/// <summary>What a volume driver can do beyond create, inspect and delete.</summary>
[Flags]
public enum VolumeCapabilities
{
    None = 0,

    /// <summary>Enforces a size (btrfs qgroup limit, tmpfs size=), set at create and changed by Resize.</summary>
    SizeLimit = 1,

    /// <summary>Snapshot and Restore (btrfs: read-only subvolume snapshots; dir: full copies).</summary>
    Snapshot = 2,
}
