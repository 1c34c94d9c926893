using System.Net;
using System.Net.Sockets;

namespace Islander.Model;

/// <summary>
/// Checks that need more than one object: references to networks, volumes and isles that are not defined, static
/// addresses outside their subnet or taken twice, host ports published twice. Problems hold isles back.
/// </summary>
internal static class DesiredStateCheck
{
    /// <summary>Problems per isle name; an isle with problems is not started or recreated.</summary>
    public static Dictionary<string, List<string>> Run(DesiredState desired)
    {
        var problems = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Add(string isle, string message)
        {
            if (!problems.TryGetValue(isle, out var list)) problems[isle] = list = [];
            list.Add(message);
        }

        var networks = desired.Networks.ToDictionary(n => n.Name, n => n.Spec, StringComparer.Ordinal);
        var volumes = desired.Volumes.Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        var isles = desired.Isles.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var addresses = new Dictionary<(string, IPAddress), string>();
        var hostPorts = new List<(string Isle, PortMapping Port)>();

        foreach (var isle in desired.Isles.OrderBy(i => i.Name, StringComparer.Ordinal))
        {
            foreach (var attachment in isle.Spec.Networks)
            {
                if (!networks.TryGetValue(attachment.Name, out var network))
                {
                    Add(isle.Name, $"network {attachment.Name} is not defined; add a Network manifest named {attachment.Name}");
                    continue;
                }
                if (attachment.Ip is null || !IPAddress.TryParse(attachment.Ip, out var ip)) continue;
                if (CheckAddress(ip, network) is { } reason) Add(isle.Name, $"ip {ip} on network {attachment.Name} {reason}");
                else if (addresses.TryGetValue((attachment.Name, ip), out var owner))
                {
                    Add(isle.Name, $"ip {ip} on network {attachment.Name} is already taken by isle {owner}");
                }
                else addresses[(attachment.Name, ip)] = isle.Name;
            }
            foreach (var mount in isle.Spec.Volumes)
            {
                if (mount.Name is { } name && !volumes.Contains(name))
                {
                    Add(isle.Name, $"volume {name} is not defined; add a Volume manifest named {name}");
                }
            }
            foreach (var dependency in isle.Spec.DependsOn)
            {
                if (!isles.Contains(dependency)) Add(isle.Name, $"depends on isle {dependency}, which is not defined");
            }
            foreach (var port in isle.Spec.Ports)
            {
                var clash = hostPorts.FirstOrDefault(p => p.Port.HostPort == port.HostPort && p.Port.Protocol == port.Protocol
                    && (p.Port.HostIp is null || port.HostIp is null || p.Port.HostIp == port.HostIp));
                if (clash.Isle is not null)
                {
                    Add(isle.Name, $"host port {port.HostPort}/{port.Protocol.ToString().ToLowerInvariant()} is already published by isle {clash.Isle}");
                }
                else hostPorts.Add((isle.Name, port));
            }
        }
        return problems;
    }

    /// <summary>Why <paramref name="ip"/> cannot be an isle's address on <paramref name="network"/>, or null.</summary>
    private static string? CheckAddress(IPAddress ip, NetworkSpec network)
    {
        if (network.Subnet is not { } subnet) return null; // the IPAM driver picks the subnet; it checks then
        if (!subnet.Contains(ip)) return $"is outside the subnet {subnet}";
        var gateway = network.Gateway ?? NetworkSpecReader.FirstHost(subnet);
        if (ip.Equals(gateway)) return "is the network's gateway";
        if (ip.Equals(subnet.BaseAddress)) return "is the subnet's network address";
        if (ip.AddressFamily == AddressFamily.InterNetwork && ip.Equals(NetworkSpecReader.Broadcast(subnet)))
        {
            return "is the subnet's broadcast address";
        }
        return null;
    }
}
