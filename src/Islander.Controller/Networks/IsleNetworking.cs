using System.Collections.Concurrent;
using System.Net;
using Islander.Controller.Ports;
using Islander.Drivers.Network;
using Islander.Model;

namespace Islander.Controller.Networks;

/// <summary>
/// The isles' side of networking: before a start, addresses and the hosts file; after start, stop and delete, the
/// hosts files, the firewall and the addresses brought up to date. Each part keeps its own lock
/// (<see cref="NetworkAddresses"/>: one per network; <see cref="HostsFiles"/>; <see cref="NetworkFirewall"/>).
/// </summary>
public sealed class IsleNetworking(IIsleRuntime runtime, INetworkDriver driver, NetworkAddresses addresses, HostsFiles hosts, NetworkFirewall firewall)
{
    readonly ConcurrentDictionary<string, IReadOnlyList<(BridgeNetworkConfig Network, IPAddress Ip)>> _plans = new();

    /// <summary>The runtime underneath (not the networked one): for probes and the daemon's wiring.</summary>
    public IIsleRuntime Runtime => runtime;

    public string HostsFileOf(string isle) => hosts.FileOf(isle);

    /// <summary>
    /// Before an isle starts: makes its networks exist, gives it an address on each (a static <c>ip</c> honoured;
    /// the stored allocation reused), releases its addresses on networks it no longer names, writes its hosts file,
    /// and returns the spec to start with: /etc/hosts bind-mounted from that file. An isle on host networking or on
    /// no network is returned unchanged (and holds no address).
    /// </summary>
    public IsleSpec Prepare(string isle, IsleSpec spec)
    {
        var names = spec.HostNetwork ? new HashSet<string>() : spec.Networks.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        addresses.ReleaseAllBut(isle, names);
        if (names.Count == 0)
        {
            _plans.TryRemove(isle, out _);
            return spec;
        }
        _plans[isle] = addresses.Allocate(isle, spec.Networks);
        hosts.Write(isle, spec.Hostname);
        if (spec.Volumes.Any(v => v.MountPath.TrimEnd('/') == "/etc/hosts"))
            return spec; // the isle brings its own
        return spec with { Volumes = [.. spec.Volumes, new VolumeMount { HostPath = hosts.FileOf(isle), MountPath = "/etc/hosts" }] };
    }

    /// <summary>
    /// The runtime's attach hook: runs with the isle's init pid before its command starts and connects it to its
    /// networks in spec order (eth0, eth1, ...; the default route through the first).
    /// </summary>
    public ValueTask AttachAsync(string isle, int initPid, CancellationToken cancellationToken)
    {
        if (!_plans.TryGetValue(isle, out var plan))
            return ValueTask.CompletedTask;
        var netns = NetworkNamespace.OfProcess(initPid);
        for (int i = 0; i < plan.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (network, ip) = plan[i];
            driver.Attach(network, new IsleEndpoint(isle, netns, ip, $"eth{i}", DefaultRoute: i == 0));
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>After an isle started (or was found running): every hosts file current, the firewall publishing its ports.</summary>
    public void Started(string isle)
    {
        if (!addresses.HoldsAddress(isle))
            return;
        hosts.Refresh();
        firewall.Sync();
    }

    /// <summary>Recomputes the whole firewall (<see cref="NetworkFirewall.Sync"/>).</summary>
    public void SyncFirewall() => firewall.Sync();

    /// <summary>After an isle stopped: its veths go (its namespace is gone anyway) and its ports are unpublished.</summary>
    public void Stopped(string isle)
    {
        if (!addresses.HoldsAddress(isle))
            return;
        addresses.Detach(isle, release: false);
        firewall.Sync();
    }

    /// <summary>After an isle was deleted: detached, its addresses released, the other isles' hosts files rewritten.</summary>
    public void Deleted(string isle)
    {
        bool held = addresses.HoldsAddress(isle);
        addresses.Detach(isle, release: true);
        _plans.TryRemove(isle, out _);
        if (!hosts.Delete(isle) && !held)
            return;
        hosts.Refresh();
        firewall.Sync();
    }
}
