using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Islander.Controller.Desired;
using Islander.Controller.Events;
using Islander.Controller.Hosting;
using Islander.Controller.Ports;
using Islander.Controller.Reconcile;
using Islander.Controller.State;
using Islander.Drivers.Network;
using Islander.Drivers.Network.Firewall;
using Islander.Drivers.Network.Ipam;
using Islander.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Islander.Controller.Networks;

/// <summary>
/// The controller's side of networking, over an <see cref="INetworkDriver"/>: networks (bridges) from
/// <c>kind: Network</c> objects, IPAM kept in the state store, isle attachments, /etc/hosts files and the firewall
/// (isolation, masquerade, published ports). Every operation is idempotent and level-triggered: it recomputes what
/// the kernel must look like from the desired objects, the stored allocations and the runtime's view of which isles
/// run, so a pass interrupted anywhere is finished by the next one. One lock orders all of it: allocations, hosts
/// files and the firewall are shared by every isle.
/// </summary>
public sealed class IsleNetworking(
    IIsleRuntime runtime, INetworkDriver driver, DesiredStore desired, StateStore store, EventRecorder events, ReconcileQueue queue,
    IOptions<DaemonOptions> options, ILogger<IsleNetworking> log)
{
    readonly object _lock = new();
    readonly ConcurrentDictionary<string, IReadOnlyList<(BridgeNetworkConfig Network, IPAddress Ip)>> _plans = new();
    readonly HashSet<string> _rebuilt = new(StringComparer.Ordinal);

    /// <summary>Where the isles' /etc/hosts files live: outside their run directories, which the runtime owns and empties on restart.</summary>
    /// <summary>The runtime underneath (not the networked one): for probes and the daemon's wiring.</summary>
    public IIsleRuntime Runtime => runtime;

    public string HostsDir => Path.Combine(options.Value.Run, "networks", "hosts");

    public string HostsFileOf(string isle) => Path.Combine(HostsDir, isle);

    public static ObjectKey Key(string network) => new(ObjectKind.Network, network);

    // ---- networks -------------------------------------------------------------------------------------------------

    /// <summary>
    /// One pass for network {name}: a desired network gets its bridge (EnsureNetwork) and a ready record; a network no
    /// longer desired is deleted once no isle holds an address on it. Then the firewall is synced.
    /// </summary>
    public void ReconcileNetwork(string name)
    {
        lock (_lock)
        {
            var entry = desired.Get(Key(name));
            if (entry is not null && entry.Object is null)
                return; // never had a valid manifest: its status shows the problems
            if (entry is null)
            {
                if (store.GetNetwork(name) is not { } record)
                    return;
                if (record.Allocations.Count > 0)
                {
                    SetStatus(record, "InUse", $"deleted, but still used by {string.Join(", ", record.Allocations.Keys)}; removed once they are gone");
                    return; // releasing the last address requeues this network
                }
                driver.DeleteNetwork(Config(record), CancellationToken.None);
                store.DeleteNetwork(name);
                log.LogInformation("Network {Network} deleted (bridge {Bridge})", name, record.Bridge);
                events.Record(Key(name), EventType.Normal, "Deleted", $"bridge {record.Bridge} removed");
                SyncFirewallLocked();
                return;
            }
            EnsureNetworkLocked(name);
            SyncFirewallLocked();
        }
    }

    /// <summary>Makes the desired network's bridge exist and returns its record; throws when it cannot (yet).</summary>
    NetworkRecord EnsureNetworkLocked(string name)
    {
        var spec = desired.Get(Key(name))?.Object?.Spec.Deserialize<NetworkSpec>(SpecJson.Options)
            ?? throw new IslanderException($"network {name} is not defined", ErrorCategory.NotFound);
        var record = store.GetNetwork(name);
        var subnet = spec.Subnet ?? (record is not null && spec.Gateway is null ? IPNetwork.Parse(record.Subnet) : FreeSubnet(name));
        var gateway = spec.Gateway ?? FirstHost(subnet);
        var want = new BridgeNetworkConfig(name, subnet, gateway, spec.Masquerade, spec.Internal);
        if (record is not null && record.Ready && Config(record) == want)
        {
            driver.EnsureNetwork(want, CancellationToken.None); // cheap and idempotent: repairs a bridge removed by hand
            return record;
        }
        if (record is not null && record.Ready && Config(record) != want)
        {
            if (record.Allocations.Count > 0 && (!Config(record).Subnet.Equals(want.Subnet) || !Config(record).Gateway.Equals(want.Gateway)))
            {
                SetStatus(record, "InUse", $"subnet/gateway change to {want.Subnet} via {want.Gateway} waits until no isle uses the network ({string.Join(", ", record.Allocations.Keys)})");
                return record;
            }
            driver.DeleteNetwork(Config(record), CancellationToken.None);
        }
        record ??= new NetworkRecord { Name = name };
        // Validates subnet and gateway (and the stored allocations against them) before touching the kernel.
        IpamPool.Create(name, want.Subnet, want.Gateway, Allocations(record));
        driver.EnsureNetwork(want, CancellationToken.None);
        record.Subnet = want.Subnet.ToString();
        record.Gateway = want.Gateway.ToString();
        record.Masquerade = want.Masquerade;
        record.Internal = want.Internal;
        record.Bridge = want.BridgeName;
        record.Ready = true;
        record.Reason = record.Message = null;
        store.SaveNetwork(record);
        log.LogInformation("Network {Network} ready: bridge {Bridge}, {Subnet} via {Gateway}", name, want.BridgeName, want.Subnet, want.Gateway);
        events.Record(Key(name), EventType.Normal, "Ready", $"bridge {want.BridgeName}, {want.Subnet} via {want.Gateway}");
        return record;
    }

    /// <summary>For a network without a subnet: the first 10.89.N.0/24 that no other network uses (kept in its record).</summary>
    IPNetwork FreeSubnet(string name)
    {
        var used = store.Networks().Where(n => n.Name != name && n.Subnet.Length > 0).Select(n => IPNetwork.Parse(n.Subnet)).ToList();
        foreach (var other in desired.List(ObjectKind.Network))
            if (other.Key.Name != name && other.Object?.Spec["subnet"]?.GetValue<string>() is { } s) used.Add(IPNetwork.Parse(s));
        for (int n = 0; n < 256; n++)
        {
            var candidate = new IPNetwork(IPAddress.Parse($"10.89.{n}.0"), 24);
            if (!used.Any(u => u.Contains(candidate.BaseAddress) || candidate.Contains(u.BaseAddress)))
                return candidate;
        }
        throw new IslanderException($"network {name}: no free subnet left in 10.89.0.0/16; set spec.subnet", ErrorCategory.Conflict);
    }

    static IPAddress FirstHost(IPNetwork subnet)
    {
        var b = subnet.BaseAddress.GetAddressBytes();
        b[3]++;
        return new IPAddress(b);
    }

    void SetStatus(NetworkRecord record, string reason, string message)
    {
        if (record.Reason == reason && record.Message == message)
            return;
        record.Reason = reason;
        record.Message = message;
        store.SaveNetwork(record);
        log.LogInformation("Network {Network}: {Reason}: {Message}", record.Name, reason, message);
        events.Record(Key(record.Name), EventType.Normal, reason, message);
    }

    static BridgeNetworkConfig Config(NetworkRecord r) =>
        new(r.Name, IPNetwork.Parse(r.Subnet), IPAddress.Parse(r.Gateway), r.Masquerade, r.Internal);

    static Dictionary<string, IPAddress> Allocations(NetworkRecord r) => r.Allocations.ToDictionary(a => a.Key, a => IPAddress.Parse(a.Value));

    // ---- isles ----------------------------------------------------------------------------------------------------

    /// <summary>
    /// Before an isle starts: makes its networks exist, gives it an address on each (a static <c>ip</c> honoured;
    /// the stored allocation reused), releases its addresses on networks it no longer names, writes its hosts file,
    /// and returns the spec to start with: /etc/hosts bind-mounted from that file. An isle on host networking or on
    /// no network is returned unchanged (and holds no address).
    /// </summary>
    public IsleSpec Prepare(string isle, IsleSpec spec)
    {
        lock (_lock)
        {
            var names = spec.HostNetwork ? new HashSet<string>() : spec.Networks.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var record in store.Networks().Where(r => r.Allocations.ContainsKey(isle) && !names.Contains(r.Name)))
                Release(record, isle);
            if (names.Count == 0)
            {
                _plans.TryRemove(isle, out _);
                return spec;
            }

            var plan = new List<(BridgeNetworkConfig, IPAddress)>();
            foreach (var attachment in spec.Networks)
            {
                var record = EnsureNetworkLocked(attachment.Name);
                if (!record.Ready)
                    throw new IslanderException($"network {attachment.Name} is not ready: {record.Message}", ErrorCategory.Transient);
                RebuildAllocationsLocked(record);
                var config = Config(record);
                var requested = attachment.Ip is { } ip ? ParseIp(attachment.Name, ip) : null;
                var (pool, address) = IpamPool.Create(record.Name, config.Subnet, config.Gateway, Allocations(record)).Allocate(isle, requested);
                if (record.Allocations.GetValueOrDefault(isle) != address.ToString())
                {
                    record.Allocations = pool.Allocations.ToDictionary(a => a.Key, a => a.Value.ToString());
                    store.SaveNetwork(record);
                    log.LogInformation("Isle {Isle} gets {Ip} on network {Network}", isle, address, record.Name);
                }
                plan.Add((config, address));
            }
            _plans[isle] = plan;
            WriteHostsLocked(isle, spec.Hostname);
            if (spec.Volumes.Any(v => v.MountPath.TrimEnd('/') == "/etc/hosts"))
                return spec; // the isle brings its own
            return spec with { Volumes = [.. spec.Volumes, new VolumeMount { HostPath = HostsFileOf(isle), MountPath = "/etc/hosts" }] };
        }
    }

    /// <summary>
    /// Before this daemon hands out its first address on the network: the addresses the running isles really have on it,
    /// read in their network namespaces (RTM_GETADDR), replace what the records say. A lost or older state database
    /// would otherwise give an adopted isle's address to another isle, and /etc/hosts, the published ports' DNAT and the
    /// real addresses would disagree. An address the records gave to an isle that does not have it goes to the isle that
    /// does. Once per network and daemon: afterwards this daemon's own allocations are the truth it keeps.
    /// </summary>
    void RebuildAllocationsLocked(NetworkRecord record)
    {
        if (!_rebuilt.Add(record.Name))
            return;
        var config = Config(record);
        var candidates = desired.List(ObjectKind.Isle).Select(e => e.Key.Name)
            .Concat(store.Isles().Select(r => r.Name))
            .Concat(record.Allocations.Keys)
            .Concat(Directory.Exists(HostsDir) ? Directory.GetFiles(HostsDir).Select(f => Path.GetFileName(f)) : [])
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var seen = new Dictionary<string, IPAddress>(StringComparer.Ordinal);
        foreach (var isle in candidates)
        {
            if (runtime.Probe(isle) is not { State: IsleProcessState.Running, Pid: int pid })
                continue;
            IReadOnlyList<IPAddress> addresses;
            try
            {
                addresses = driver.Addresses(NetworkNamespace.OfProcess(pid), CancellationToken.None);
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
        events.Record(Key(record.Name), EventType.Warning, "AddressesRebuilt", message);
    }

    static IPAddress ParseIp(string network, string text) => IPAddress.TryParse(text, out var ip) ? ip
        : throw new IslanderException($"network {network}: \"{text}\" is not an IPv4 address", ErrorCategory.InvalidManifest);

    /// <summary>
    /// The runtime's attach hook: runs with the isle's init pid before its command starts and connects it to its
    /// networks in spec order (eth0, eth1, ...; the default route through the first).
    /// </summary>
    public ValueTask AttachAsync(string isle, int initPid, CancellationToken cancellationToken)
    {
        if (!_plans.TryGetValue(isle, out var plan))
            return ValueTask.CompletedTask;
        var netns = NetworkNamespace.OfProcess(initPid);
        lock (_lock)
        {
            for (int i = 0; i < plan.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var (network, ip) = plan[i];
                driver.Attach(network, new IsleEndpoint(isle, netns, ip, $"eth{i}", DefaultRoute: i == 0), cancellationToken);
            }
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>After an isle started (or was found running): every hosts file current, the firewall publishing its ports.</summary>
    public void Started(string isle)
    {
        lock (_lock)
        {
            if (!HoldsAddress(isle))
                return;
            RefreshHostsLocked();
            SyncFirewallLocked();
        }
    }

    /// <summary>After an isle stopped: its veths go (its namespace is gone anyway) and its ports are unpublished.</summary>
    public void Stopped(string isle)
    {
        lock (_lock)
        {
            if (!HoldsAddress(isle))
                return;
            foreach (var record in store.Networks().Where(r => r.Allocations.ContainsKey(isle)))
                driver.Detach(Config(record), isle, CancellationToken.None);
            SyncFirewallLocked();
        }
    }

    /// <summary>After an isle was deleted: detached, its addresses released, the other isles' hosts files rewritten.</summary>
    public void Deleted(string isle)
    {
        lock (_lock)
        {
            if (!HoldsAddress(isle) && !File.Exists(HostsFileOf(isle)))
                return;
            foreach (var record in store.Networks().Where(r => r.Allocations.ContainsKey(isle)))
            {
                driver.Detach(Config(record), isle, CancellationToken.None);
                Release(record, isle);
            }
            _plans.TryRemove(isle, out _);
            File.Delete(HostsFileOf(isle));
            RefreshHostsLocked();
            SyncFirewallLocked();
        }
    }

    bool HoldsAddress(string isle) => store.Networks().Any(r => r.Allocations.ContainsKey(isle));

    void Release(NetworkRecord record, string isle)
    {
        record.Allocations.Remove(isle);
        store.SaveNetwork(record);
        log.LogInformation("Isle {Isle} released its address on network {Network}", isle, record.Name);
        queue.Add(Key(record.Name)); // a deleted network waits for its last isle
    }

    // ---- names ----------------------------------------------------------------------------------------------------

    IReadOnlyList<NetworkMember> Members() =>
        store.Networks().SelectMany(n => n.Allocations.Select(a => new NetworkMember(n.Name, a.Key, IPAddress.Parse(a.Value)))).ToList();

    void WriteHostsLocked(string isle, string? hostname) => WriteInPlace(HostsFileOf(isle), HostsFile.Render(isle, hostname ?? isle, Members()));

    /// <summary>Rewrites the hosts file of every isle that has one, from the allocations now.</summary>
    void RefreshHostsLocked()
    {
        if (!Directory.Exists(HostsDir))
            return;
        var members = Members();
        foreach (var file in Directory.GetFiles(HostsDir))
        {
            string isle = Path.GetFileName(file);
            if (!members.Any(m => m.Isle == isle))
                continue; // deleted or off every network: left as it was until the isle goes
            string? hostname = desired.Get(ObjectKey.Isle(isle))?.Object?.Isle?.Hostname;
            WriteInPlace(file, HostsFile.Render(isle, hostname ?? isle, members));
        }
    }

    /// <summary>
    /// Writes through the existing file (same inode): the isle sees the file bind-mounted at its start, so a rename
    /// over it would leave the isle reading the old one.
    /// </summary>
    static void WriteInPlace(string path, string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var bytes = Encoding.UTF8.GetBytes(content);
        using var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite);
        if (file.Length == bytes.Length)
        {
            var current = new byte[bytes.Length];
            file.ReadExactly(current);
            if (current.AsSpan().SequenceEqual(bytes))
                return;
            file.Position = 0;
        }
        file.Write(bytes);
        file.SetLength(bytes.Length);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
    }

    // ---- firewall -------------------------------------------------------------------------------------------------

    /// <summary>Recomputes the whole firewall: every ready network and the published ports of every running isle.</summary>
    public void SyncFirewall()
    {
        lock (_lock) SyncFirewallLocked();
    }

    void SyncFirewallLocked()
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
        driver.SyncFirewall(new FirewallConfig(networks.Select(Config).ToList(), ports), CancellationToken.None);
    }
}
