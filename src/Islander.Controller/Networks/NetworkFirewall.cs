using System.Net;
using Islander.Controller.Desired;
using Islander.Controller.Ports;
using Islander.Controller.State;
using Islander.Drivers.Network;
using Islander.Drivers.Network.Firewall;
using Islander.Model;

namespace Islander.Controller.Networks;

/// <summary>
/// islander's whole firewall, recomputed from what is: every ready network and the published ports of every isle the
/// runtime sees running. The driver replaces the ruleset as a whole, so syncs are serialized (a
/// <see cref="CoalescedRun"/>, its lock held across the kernel call): a sync that read older state must not land after
/// one that read newer state.
/// </summary>
/// <remarks>
/// <para>The firewall is the bridge driver's: one nftables table over every network, in terms of bridges
/// (<see cref="FirewallConfig"/>). It is not per driver yet because no second driver says what its firewall needs.</para>
/// <para>A sync whose caller changed the state before asking is covered by any sync that read the state after that
/// change: callers waiting on the lock while one sync runs are all covered by the next one, which reads the state once
/// for all of them (50 isles started at once compute a few tables, not 50). The driver leaves the kernel alone when the
/// table is the one it applied last and no nftables transaction ran since (an isle without published ports changes
/// nothing in it).</para>
/// </remarks>
public sealed class NetworkFirewall(IIsleRuntime runtime, NetworkDriverSet drivers, DesiredStore desired, StateStore store)
{
    readonly CoalescedRun _sync = new();
    int _verify; // 1 when a caller of Sync waits for the next run: that run asks the kernel whether anyone changed the table

    /// <summary>
    /// Brings the firewall up to date with the state now, the caller's changes made before the call included, and makes
    /// sure the kernel still has the table last applied (a table removed by hand comes back): a network's pass, at
    /// every resync.
    /// </summary>
    public void Sync()
    {
        Interlocked.Exchange(ref _verify, 1); // before the ticket: the run that covers this call reads it
        _sync.Run(Apply);
    }

    /// <summary>
    /// As <see cref="Sync"/>, for an isle's start, stop or delete: the table is applied when its config changed (the isle
    /// publishes ports), and no kernel call is made when it did not. The next network pass finds any change by others.
    /// </summary>
    public void SyncIfChanged() => _sync.Run(Apply);

    void Apply()
    {
        var config = Compute();
        if (Interlocked.Exchange(ref _verify, 0) == 1)
            drivers.Bridge.SyncFirewall(config, CancellationToken.None);
        else
            drivers.Bridge.SyncFirewallIfChanged(config, CancellationToken.None);
    }

    FirewallConfig Compute()
    {
        var networks = store.Networks().Where(n => n.Ready).ToList();
        var ports = new List<PortPublication>();
        foreach (var isle in networks.SelectMany(n => n.Allocations.Keys).Distinct().Order(StringComparer.Ordinal))
        {
            if (desired.Get(ObjectKey.Isle(isle))?.Object?.Isle is not { Ports.Count: > 0, HostNetwork: false } spec)
                continue;
            if (runtime.Probe(isle).State != IsleProcessState.Running)
                continue;
            // Published on the isle's first network, where its default route is.
            var first = spec.Networks.Select(a => networks.FirstOrDefault(n => n.Name == a.Name)).FirstOrDefault(n => n?.Allocations.ContainsKey(isle) == true);
            if (first is null)
                continue;
            var ip = IPAddress.Parse(first.Allocations[isle]);
            foreach (var p in spec.Ports)
                ports.Add(new PortPublication(isle, ip, p.ContainerPort, p.HostPort, p.Protocol, p.HostIp is { } h ? IPAddress.Parse(h) : null));
        }
        return new FirewallConfig(networks.Select(NetworkReconciler.Config).ToList(), ports);
    }
}
