using Islander.Model;

namespace Islander.Drivers.Volumes;

/// <summary>A volume as the kernel sees it now.</summary>
/// <param name="Path">The host directory isles bind-mount.</param>
/// <param name="SizeLimit">The enforced size in bytes; null when nothing limits it (dir, btrfs without size).</param>
/// <param name="BytesUsed">What the volume holds (btrfs: qgroup referenced bytes, metadata included; tmpfs: used blocks; dir: file sizes).</param>
/// <param name="Snapshots">Snapshot names, sorted.</param>
public sealed record VolumeInfo(string Name, VolumeDriverKind Driver, string Path, long? SizeLimit, long BytesUsed, IReadOnlyList<string> Snapshots);
