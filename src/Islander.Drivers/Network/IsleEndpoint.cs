using System.Net;

namespace Islander.Drivers.Network;

/// <summary>
/// One isle's end of a network: the isle's name (it determines the veth's name), its network
/// namespace (<c>NetworkNamespace.OfProcess(pid)</c>), its address from IPAM, the interface name
/// inside (eth0 for the first network, eth1 for the next...), and whether this network carries the
/// isle's default route (only one network should; internal networks never do).
/// </summary>
public sealed record IsleEndpoint(string Isle, NetworkNamespace Netns, IPAddress Ip, string IfName = "eth0", bool DefaultRoute = true);
