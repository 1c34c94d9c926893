using Islander.Drivers.Cgroups;
using Islander.Model;

namespace Islander.Testing;

/// <summary>One group of <see cref="FakeCgroupDriver"/>: the limits last applied and the pids in it.</summary>
/// <param name="Applied">How many times <see cref="ICgroupDriver.Create"/> or <see cref="ICgroupDriver.Update"/> ran for it.</param>
public sealed record FakeCgroup(
    IsleResources Resources,
    DevicePolicy Devices,
    System.Collections.Immutable.ImmutableHashSet<int> Pids,
    long OomKills,
    int Applied)
{
    /// <summary>Frozen by <see cref="ICgroupDriver.FreezeAsync"/> (and not thawed since).</summary>
    public bool Frozen { get; init; }
}
