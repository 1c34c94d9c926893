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
}
