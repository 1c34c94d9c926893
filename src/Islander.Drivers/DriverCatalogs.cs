using Islander.Drivers.Cgroups;
using Islander.Drivers.Network;
using Islander.Drivers.Volumes;
using Islander.Model;

namespace Islander.Drivers;

/// <summary>The registered drivers as the Model's parser sees them (names and capabilities, no factories).</summary>
public static class DriverCatalogs
{
    public static DriverCatalog Known { get; } = new(
        VolumeDriverCatalog.All.Select(r => new VolumeDriverDescription(r.Kind, r.Capabilities)).ToList(),
        NetworkDriverCatalog.All.Select(r => r.Kind).ToList());

    /// <summary><see cref="Known"/> on a host whose cgroups are <paramref name="cgroups"/>: <c>resources.oomGroup</c> only on v2.</summary>
    public static DriverCatalog For(CgroupVersion cgroups) => Known with { OomGroup = cgroups == CgroupVersion.V2 };
}
