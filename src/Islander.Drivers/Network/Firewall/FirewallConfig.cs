namespace Islander.Drivers.Network.Firewall;

/// <summary>Everything the firewall must express: all islander networks and all published ports. Empty means "no table".</summary>
public sealed record FirewallConfig(IReadOnlyList<BridgeNetworkConfig> Networks, IReadOnlyList<PortPublication> Ports)
{
    public static FirewallConfig Empty { get; } = new([], []);

    public bool IsEmpty => Networks.Count == 0 && Ports.Count == 0;
}
