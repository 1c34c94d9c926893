using System.Net;

namespace Islander.Model;

internal static partial class IsleSpecReader
{
    private const string HostNetworkHint = "to share the host's network, set hostNetwork: true (networks lists bridge networks by name)";

    private static IReadOnlyList<NetworkAttachment> ReadNetworks(Fields spec)
    {
        if (spec.Get("networks") is ScalarNode { Value: "host" or "none" } scalar)
        {
            spec.Reader.Error(scalar, spec.PathOf("networks"), scalar.Value == "host"
                ? HostNetworkHint
                : "for an isle with only loopback, leave networks out");
            return [];
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return spec.List("networks", (node, path) =>
        {
            if (spec.Reader.Object(node, path, AttachmentFields) is not { } f) return null;
            var name = f.String("name");
            if (name is null)
            {
                if (!f.Has("name")) f.Required("name", "name a Network object, e.g. {name: backend}");
                return null;
            }
            if (name is "host" or "none")
            {
                f.Error("name", name == "host" ? HostNetworkHint : "for an isle with only loopback, leave networks out");
                return null;
            }
            if (!Names.IsDnsLabel(name))
            {
                f.Error("name", $"\"{name}\" is not a network name; {Names.DnsLabelRule}");
                return null;
            }
            var ip = f.String("ip");
            if (ip is not null && !IPAddress.TryParse(ip, out _))
            {
                f.Error("ip", $"\"{ip}\" is not an IP address; write one such as 10.88.0.10, or leave ip out to get a free one");
                return null;
            }
            if (!seen.Add(name))
            {
                f.Error("name", $"{name} is attached twice; keep one entry");
                return null;
            }
            return new NetworkAttachment(name, ip is null ? null : IPAddress.Parse(ip).ToString());
        }, "[{name: backend}]");
    }

    private static IReadOnlyList<PortMapping> ReadPorts(Fields spec)
    {
        var seen = new HashSet<(string, int, PortProtocol)>();
        return spec.List("ports", (node, path) =>
        {
            if (spec.Reader.Object(node, path, PortFields) is not { } f) return null;
            var containerPort = f.Integer("containerPort", 1, 65535);
            var hostPort = f.Integer("hostPort", 1, 65535);
            if (!f.Has("containerPort")) f.Required("containerPort", "give the port the isle listens on, e.g. containerPort: 8080");
            if (!f.Has("hostPort")) f.Required("hostPort", "give the host port to publish on, e.g. hostPort: 18080");
            var protocol = ReadProtocol(f);
            var hostIp = f.String("hostIp");
            if (hostIp is not null && !IPAddress.TryParse(hostIp, out _))
            {
                f.Error("hostIp", $"\"{hostIp}\" is not an IP address; write one such as 127.0.0.1, or leave hostIp out for all addresses");
                return null;
            }
            if (containerPort is null || hostPort is null || protocol is null) return null;
            hostIp = hostIp is null ? null : IPAddress.Parse(hostIp).ToString();
            if (!seen.Add((hostIp ?? "", (int)hostPort, protocol.Value)))
            {
                f.Error("hostPort", $"{protocol.Value.ToString().ToLowerInvariant()} port {hostPort} is published twice; publish it once, or on another hostIp");
                return null;
            }
            return new PortMapping((int)containerPort, (int)hostPort, protocol.Value, hostIp);
        }, "[{containerPort: 8080, hostPort: 18080}]");
    }

    /// <summary>tcp or udp; the upper-case forms of Kubernetes (TCP, UDP) are accepted too.</summary>
    private static PortProtocol? ReadProtocol(Fields f)
    {
        var protocol = f.String("protocol");
        switch (protocol)
        {
            case null or "tcp" or "TCP": return PortProtocol.Tcp;
            case "udp" or "UDP": return PortProtocol.Udp;
            default:
                f.Error("protocol", $"\"{protocol}\" is not a protocol; use tcp or udp");
                return null;
        }
    }

    private static void CheckNetworking(Fields spec, bool hostNetwork, IReadOnlyList<NetworkAttachment> networks, IReadOnlyList<PortMapping> ports)
    {
        if (hostNetwork && spec.Has("networks"))
        {
            spec.Error("networks", "an isle with hostNetwork: true shares the host's network and attaches to no other; remove one of them");
        }
        if (hostNetwork && spec.Has("ports"))
        {
            spec.Error("ports", "with hostNetwork: true the isle listens on the host directly; remove ports");
        }
        else if (!hostNetwork && ports.Count > 0 && spec.Get("networks") is null or SequenceNode { Items.Count: 0 })
        {
            spec.Error("ports", "ports are published through a bridge network; attach the isle to one under networks");
        }
    }
}
