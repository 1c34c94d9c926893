namespace Islander.Drivers.Network.Firewall;

/// <summary>Everything the firewall must express: all islander networks and all published ports. Empty means "no table".</summary>
public sealed record FirewallConfig(IReadOnlyList<BridgeNetworkConfig> Networks, IReadOnlyList<PortPublication> Ports)
{
    public static FirewallConfig Empty { get; } = new([], []);

    public bool IsEmpty => Networks.Count == 0 && Ports.Count == 0;

    /// <summary>Whether {other} expresses the same firewall: the same networks and ports, in any order.</summary>
    public bool SameAs(FirewallConfig other) =>
        Networks.Count == other.Networks.Count && Ports.Count == other.Ports.Count
        && Networks.ToHashSet().SetEquals(other.Networks) && Ports.ToHashSet().SetEquals(other.Ports);
}
