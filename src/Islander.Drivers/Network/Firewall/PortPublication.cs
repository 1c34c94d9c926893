using System.Net;
using Islander.Model;

namespace Islander.Drivers.Network.Firewall;

/// <summary>
/// A published port: traffic to the host on {HostPort} (on {HostIp} only, when set; else on every
/// local address, 127.0.0.1 included) is DNATed to {IsleIp}:{ContainerPort}.
/// </summary>
public sealed record PortPublication(string Isle, IPAddress IsleIp, int ContainerPort, int HostPort, PortProtocol Protocol = PortProtocol.Tcp, IPAddress? HostIp = null);
