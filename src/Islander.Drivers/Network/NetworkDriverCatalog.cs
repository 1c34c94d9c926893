namespace Islander.Drivers.Network;

/// <summary>
/// Every network driver islander has, one line each: adding one is its class (with its
/// <see cref="NetworkDriverRegistration"/>) and its line here. The parser's known drivers (<see cref="DriverCatalogs"/>)
/// and islanderd's <see cref="NetworkDriverSet"/> come from here.
/// </summary>
public static class NetworkDriverCatalog
{
    /// <summary>In the order error messages list them; the first is the default.</summary>
    public static IReadOnlyList<NetworkDriverRegistration> All { get; } =
    [
        BridgeNetworkDriver.Registration,
    ];
}
