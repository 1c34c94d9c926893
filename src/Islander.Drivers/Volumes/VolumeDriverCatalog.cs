using Islander.Model;

namespace Islander.Drivers.Volumes;

/// <summary>
/// Every volume driver islander has, one line each: adding a driver is its class (with its
/// <see cref="VolumeDriverRegistration"/>) and its line here. The parser's known drivers (<see cref="DriverCatalogs"/>),
/// islanderd's <see cref="VolumeDriverSet"/> and the README's list come from here.
/// </summary>
public static class VolumeDriverCatalog
{
    /// <summary>In the order error messages and the README list them; the first is the default.</summary>
    public static IReadOnlyList<VolumeDriverRegistration> All { get; } =
    [
        DirVolumeDriver.Registration,
        BtrfsVolumeDriver.Registration,
        TmpfsVolumeDriver.Registration,
    ];
}
