using System.Collections.Concurrent;
using System.Net;
using Islander.Controller.Desired;
using Islander.Controller.Events;
using Islander.Controller.Ports;
using Islander.Controller.Reconcile;
using Islander.Controller.State;
using Islander.Drivers.Network;
using Islander.Drivers.Network.Ipam;
using Islander.Model;
using Microsoft.Extensions.Logging;

namespace Islander.Controller.Networks;

/// <summary>
/// IPAM: the isles' addresses on each network, kept in the network records (isle → ip) so that a restart never hands
/// one out twice. An allocation or a release does not wait for a sync of its own: the isle's next commit, which follows
/// it in every path, waits for one that covers it (<see cref="StateStore.SaveNetworkUnsynced"/>). Every change of a network's allocations holds that network's lock (<see cref="NetworkReconciler.LockOf"/>),
/// and nothing else: an address on one network never waits for a bridge being made for another.
/// </summary>
public sealed class NetworkAddresses(
    NetworkReconciler networks, NetworkDriverSet drivers, IIsleRuntime runtime, DesiredStore desired, StateStore store,
    EventRecorder events, ReconcileQueue queue, HostsFiles hosts, ILogger<NetworkAddresses> log)
{
    readonly ConcurrentDictionary<string, bool> _rebuilt = new(StringComparer.Ordinal);

    /// <summary>
    /// Gives the isle an address on each network it names, in spec order (a static <c>ip</c> honoured, the stored
    /// allocation reused), making each network exist first. Throws Transient when a network is not ready.
    /// </summary>
    public IReadOnlyList<(NetworkDriverKind Driver, BridgeNetworkConfig Network, IPAddress Ip)> Allocate(string isle, IReadOnlyList<NetworkAttachment> attachments)
    {
        var plan = new List<(NetworkDriverKind, BridgeNetworkConfig, IPAddress)>();
        foreach (var attachment in attachments)
        {
            lock (networks.LockOf(attachment.Name))
            {
                var record = networks.EnsureNetwork(attachment.Name, CancellationToken.None);
                if (!record.Ready)
                    throw new IslanderException($"network {attachment.Name} is not ready: {record.Message}", ErrorCategory.Transient);
                RebuildLocked(record);
                var config = NetworkReconciler.Config(record);
                var requested = attachment.Ip is { } ip ? ParseIp(attachment.Name, ip) : null;
                var (pool, address) = IpamPool.Create(record.Name, config.Subnet, config.Gateway, Allocations(record)).Allocate(isle, requested);
                if (record.Allocations.GetValueOrDefault(isle) != address.ToString())
                {
                    record.Allocations = pool.Allocations.ToDictionary(a => a.Key, a => a.Value.ToString());
                    store.SaveNetworkUnsynced(record); // the start's own commit makes it durable
                    log.LogInformation("Isle {Isle} gets {Ip} on network {Network}", isle, address, record.Name);
                }
                plan.Add((new NetworkDriverKind(record.Driver), config, address));
            }
        }
        return plan;
    }

    /// <summary>Releases the isle's addresses on every network but <paramref name="keep"/>.</summary>
    public void ReleaseAllBut(string isle, IReadOnlySet<string> keep)
    {
        foreach (var name in NetworksOf(isle).Where(n => !keep.Contains(n)))
            lock (networks.LockOf(name))
                if (store.GetNetwork(name) is { } record && record.Allocations.ContainsKey(isle))
                    Release(record, isle);
    }

    /// <summary>
    /// The isle's veths removed, each network's outside that network's lock (a veth the kernel has not deleted yet takes
    /// it 10 to 20 ms, and the other isles' addresses need not wait for it); its addresses stay its own. Usually the veths
    /// are gone already: the kernel deletes a veth pair when the isle's namespace goes, with the isle's last process.
    /// </summary>
    public void Unplug(string isle)
    {
        foreach (var name in NetworksOf(isle))
            if (store.GetNetwork(name) is { } held && held.Allocations.ContainsKey(isle))
                drivers.For(new NetworkDriverKind(held.Driver)).Detach(NetworkReconciler.Config(held), isle, CancellationToken.None);
    }

    /// <summary>
    /// After the isle was deleted: its veths removed (<see cref="Unplug"/>), then its addresses released, so that no
    /// other isle gets an address a veth of this one still has. The isle's own passes are one at a time, so nothing
    /// attaches it meanwhile.
    /// </summary>
    public void Detach(string isle)
    {
        Unplug(isle);
        foreach (var name in NetworksOf(isle))
            lock (networks.LockOf(name))
                if (store.GetNetwork(name) is { } record && record.Allocations.ContainsKey(isle))
                    Release(record, isle);
    }

    /// <summary>Returns once the releases made so far are durable (after a release that no commit of its isle follows).</summary>
    public void WaitDurable() => store.WaitDurable();

    /// <summary>Whether the isle holds an address on any network.</summary>
    public bool HoldsAddress(string isle) => NetworksOf(isle).Any();

    IEnumerable<string> NetworksOf(string isle) => store.Networks().Where(r => r.Allocations.ContainsKey(isle)).Select(r => r.Name).ToList();

    void Release(NetworkRecord record, string isle)
    {
        record.Allocations.Remove(isle);
        store.SaveNetworkUnsynced(record); // the isle's next commit (its deletion, its start) makes it durable
        log.LogInformation("Isle {Isle} released its address on network {Network}", isle, record.Name);
        // A network deleted, or changed to a subnet its isles' addresses are not in, waits for its last isle (InUse).
        // Any other network's pass has nothing to do for a release (the caller syncs the firewall), and would ensure
        // the bridge and requeue every isle on the network: 50 isles removed made 50 such passes.
        if (record.Reason == Reasons.InUse)
            queue.Add(NetworkReconciler.Key(record.Name));
    }

    /// <summary>
    /// Before this daemon hands out its first address on the network: the addresses the running isles really have on it,
    /// read in their network namespaces (RTM_GETADDR), replace what the records say. A lost or older state database
    /// would otherwise give an adopted isle's address to another isle, and /etc/hosts, the published ports' DNAT and the
    /// real addresses would disagree. An address the records gave to an isle that does not have it goes to the isle that
    /// does. Once per network and daemon: afterwards this daemon's own allocations are the truth it keeps.
    /// </summary>
    void RebuildLocked(NetworkRecord record)
    {
        if (!_rebuilt.TryAdd(record.Name, true))
            return;
        var config = NetworkReconciler.Config(record);
        var candidates = desired.List(ObjectKind.Isle).Select(e => e.Key.Name)
            .Concat(store.Isles().Select(r => r.Name))
            .Concat(record.Allocations.Keys)
            .Concat(hosts.Isles())
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var seen = new Dictionary<string, IPAddress>(StringComparer.Ordinal);
        foreach (var isle in candidates)
        {
            if (runtime.Probe(isle) is not { State: IsleProcessState.Running, Pid: int pid })
                continue;
            IReadOnlyList<IPAddress> addresses;
            try
            {
                addresses = drivers.Bridge.Addresses(NetworkNamespace.OfProcess(pid), CancellationToken.None); // the isle's links, whoever made them
            }
            catch (Exception e) when (e is IslanderException or IOException)
            {
                log.LogInformation("Isle {Isle}: addresses not read ({Error}); it ended meanwhile", isle, e.Message);
                continue;
            }
            if (addresses.FirstOrDefault(a => config.Subnet.Contains(a) && !a.Equals(config.Gateway)) is not { } ip)
                continue;
            if (seen.FirstOrDefault(s => s.Value.Equals(ip)).Key is { } twin)
            {
                log.LogWarning("Network {Network}: isles {Isle} and {Twin} both have {Ip}; {Isle} keeps no record of it", record.Name, isle, twin, ip, isle);
                continue;
            }
            seen[isle] = ip;
        }
        var allocations = new Dictionary<string, string>(record.Allocations, StringComparer.Ordinal);
        var changes = new List<string>();
        // An isle deleted while its veths were still going releases its addresses after its record went: a daemon that
        // died in between left the address of an isle that no longer exists.
        foreach (var (isle, ip) in allocations.Where(a => !seen.ContainsKey(a.Key) && store.GetIsle(a.Key) is null
            && desired.Get(ObjectKey.Isle(a.Key)) is null).ToList())
        {
            allocations.Remove(isle);
            changes.Add($"{isle} no longer exists and no longer holds {ip}");
        }
        foreach (var (isle, ip) in seen)
        {
            string text = ip.ToString();
            if (allocations.GetValueOrDefault(isle) == text)
                continue;
            foreach (var other in allocations.Where(a => a.Value == text && a.Key != isle).Select(a => a.Key).ToList())
            {
                allocations.Remove(other);
                changes.Add($"{other} no longer holds {text}");
            }
            changes.Add(allocations.TryGetValue(isle, out var was) ? $"{isle} has {text} (recorded: {was})" : $"{isle} has {text}");
            allocations[isle] = text;
        }
        if (changes.Count == 0)
            return;
        record.Allocations = allocations;
        store.SaveNetwork(record);
        var message = "addresses rebuilt from the running isles' namespaces: " + string.Join("; ", changes);
        log.LogWarning("Network {Network}: {Message}", record.Name, message);
        events.Record(NetworkReconciler.Key(record.Name), EventType.Warning, "AddressesRebuilt", message);
    }

    static IPAddress ParseIp(string network, string text) => IPAddress.TryParse(text, out var ip) ? ip
        : throw new IslanderException($"network {network}: \"{text}\" is not an IPv4 address", ErrorCategory.InvalidManifest);

    /// <summary>A record's allocations as addresses.</summary>
    public static Dictionary<string, IPAddress> Allocations(NetworkRecord r) => r.Allocations.ToDictionary(a => a.Key, a => IPAddress.Parse(a.Value));
}
