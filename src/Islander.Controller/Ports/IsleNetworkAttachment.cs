using System.Net;
using Islander.Drivers.Network;
using Islander.Model;

namespace Islander.Controller.Ports;

/// <summary>One network an isle joins at its start: the driver that attaches it (the network's), the bridge, the isle's address on it, its interface and whether its default route goes there.</summary>
public sealed record IsleNetworkAttachment(NetworkDriverKind Driver, BridgeNetworkConfig Network, IPAddress Ip, string IfName, bool DefaultRoute);
