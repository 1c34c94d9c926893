using System.Net;
using System.Net.Sockets;

namespace Islander.Model;

/// <summary>
/// Checks that need more than one object: references to networks, volumes and isles that are not defined, static
/// addresses outside their subnet or taken twice, host ports published twice. Problems hold isles back.
/// </summary>
/// <remarks>
/// <see cref="MissingReferences"/> and <see cref="MissingDependencies"/> look at one isle, through lookups the caller
/// provides, so the controller checks the isle it reconciles without building the whole desired state.
/// </remarks>
public static class DesiredStateCheck
{
    /// <summary>Networks and named volumes <paramref name="spec"/> uses that are not defined, one message each.</summary>
    public static IReadOnlyList<string> MissingReferences(IsleSpec spec, Func<string, bool> networkDefined, Func<string, bool> volumeDefined)
    {
        var problems = new List<string>();
        foreach (var attachment in spec.Networks)
        {
            if (!networkDefined(attachment.Name))
                problems.Add($"network {attachment.Name} is not defined; add a Network manifest named {attachment.Name}");
        }
        foreach (var mount in spec.Volumes)
        {
            if (mount.Name is { } name && !volumeDefined(name))
                problems.Add($"volume {name} is not defined; add a Volume manifest named {name}");
        }
        return problems;
    }

    /// <summary>The isles <paramref name="spec"/> depends on that are not defined, one message each.</summary>
    public static IReadOnlyList<string> MissingDependencies(IsleSpec spec, Func<string, bool> isleDefined) =>
        spec.DependsOn.Where(d => !isleDefined(d)).Select(d => $"depends on isle {d}, which is not defined").ToList();

    /// <summary>
    /// The dependencies <paramref name="spec"/> waits to be healthy that have no healthcheck, so never will be: one
    /// message each. <paramref name="specOf"/> gives a defined isle's spec (null: not defined, reported by
    /// <see cref="MissingDependencies"/>).
    /// </summary>
    public static IReadOnlyList<string> DependenciesWithoutHealthcheck(IsleSpec spec, Func<string, IsleSpec?> specOf) =>
        spec.HealthyDependencies.Where(d => specOf(d) is { Healthcheck: null }).Select(WithoutHealthcheck).ToList();

    /// <summary>The one message for a dependency with condition Healthy on an isle that has no healthcheck.</summary>
    public static string WithoutHealthcheck(string dependency) =>
        $"depends on isle {dependency} with condition Healthy, but {dependency} has no healthcheck, so it never becomes healthy; " +
        $"add a healthcheck to {dependency}, or depend on it running (- {dependency})";

    /// <summary>Problems per isle name; an isle with problems is not started or recreated.</summary>
    internal static Dictionary<string, List<string>> Run(DesiredState desired)
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
        var specs = desired.Isles.ToDictionary(i => i.Name, i => i.Spec, StringComparer.Ordinal);
        var addresses = new Dictionary<(string, IPAddress), string>();
        var hostPorts = new List<(string Isle, PortMapping Port)>();

        foreach (var isle in desired.Isles.OrderBy(i => i.Name, StringComparer.Ordinal))
        {
            foreach (var message in MissingReferences(isle.Spec, networks.ContainsKey, volumes.Contains)) Add(isle.Name, message);
            foreach (var message in MissingDependencies(isle.Spec, isles.Contains)) Add(isle.Name, message);
            foreach (var message in DependenciesWithoutHealthcheck(isle.Spec, specs.GetValueOrDefault)) Add(isle.Name, message);
            foreach (var attachment in isle.Spec.Networks)
            {
                if (!networks.TryGetValue(attachment.Name, out var network)) continue; // reported above
                if (attachment.Ip is null || !IPAddress.TryParse(attachment.Ip, out var ip)) continue;
                if (CheckAddress(ip, network) is { } reason) Add(isle.Name, $"ip {ip} on network {attachment.Name} {reason}");
                else if (addresses.TryGetValue((attachment.Name, ip), out var owner))
                {
                    Add(isle.Name, $"ip {ip} on network {attachment.Name} is already taken by isle {owner}");
                }
                else addresses[(attachment.Name, ip)] = isle.Name;
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
