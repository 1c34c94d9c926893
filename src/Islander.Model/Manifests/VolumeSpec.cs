namespace Islander.Model;

/// <summary>The desired shape of a named volume (spec of a <c>kind: Volume</c> manifest). All members are values.</summary>
public sealed record VolumeSpec
{
    public VolumeDriverKind Driver { get; init; } = VolumeDriverKind.Dir;

    /// <summary>Size limit in bytes (btrfs qgroup, tmpfs size=). Only for drivers with <see cref="VolumeCapabilities.SizeLimit"/>.</summary>
    public long? Size { get; init; }

    public ReclaimPolicy ReclaimPolicy { get; init; } = ReclaimPolicy.Retain;
}
