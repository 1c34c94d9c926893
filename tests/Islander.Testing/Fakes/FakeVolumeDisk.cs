namespace Islander.Testing.Fakes;

/// <summary>
/// What a fake volume root holds: it outlives <see cref="FakeVolumeDriver"/> instances, so a test "restarts the
/// daemon" by making a new driver over the same disk, as the real drivers are made again over the same directory.
/// </summary>
public sealed class FakeVolumeDisk
{
    internal Lock Lock { get; } = new();
    internal Dictionary<string, FakeVolume> Volumes { get; } = new(StringComparer.Ordinal);

    /// <summary>The volumes on the disk now, by name.</summary>
    public IReadOnlyDictionary<string, FakeVolume> Snapshot()
    {
        lock (Lock)
            return new Dictionary<string, FakeVolume>(Volumes);
    }
}
