using System.Net;

namespace Islander.Drivers.Network;

/// <summary>
/// What the bridge driver needs to know about one network (the driver-side view of a
/// <c>kind: Network</c> spec). <see cref="Internal"/> networks have no route out: isles get no
/// default route and the firewall drops forwarding to or from the bridge; <see cref="Masquerade"/>
/// networks are NATed to the host's address when leaving through another interface.
/// </summary>
public sealed record BridgeNetworkConfig(string Name, IPNetwork Subnet, IPAddress Gateway, bool Masquerade = false, bool Internal = false)
{
    /// <summary>The bridge device: see <see cref="NetworkNames.Bridge"/>.</summary>
    public string BridgeName => NetworkNames.Bridge(Name);
}
