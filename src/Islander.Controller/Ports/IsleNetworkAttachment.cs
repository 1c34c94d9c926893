using System.Net;
using Islander.Drivers.Network;

namespace Islander.Controller.Ports;

/// <summary>One network an isle joins at its start: the bridge, the isle's address on it, its interface and whether its default route goes there.</summary>
public sealed record IsleNetworkAttachment(BridgeNetworkConfig Network, IPAddress Ip, string IfName, bool DefaultRoute);
