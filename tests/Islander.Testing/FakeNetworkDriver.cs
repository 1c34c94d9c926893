using Islander.Drivers.Network;
using Islander.Drivers.Network.Firewall;
using Islander.Model;

namespace Islander.Testing;

/// <summary>
/// State-based fake of <see cref="INetworkDriver"/>: an in-memory model of bridges, attachments,
/// the firewall and loopbacks, failing where the real driver fails (missing network, address
/// outside the subnet) and idempotent where it is. Safe to call from several passes at once, as the real driver is.
/// </summary>
public sealed class FakeNetworkDriver(NetworkDriverKind? kind = null) : INetworkDriver
{
    readonly Lock _lock = new();
    readonly Dictionary<string, BridgeNetworkConfig> _networks = new(StringComparer.Ordinal);
    readonly Dictionary<(string Network, string Isle), IsleEndpoint> _attachments = [];
    readonly HashSet<NetworkNamespace> _loopbacksUp = [];

    /// <summary>Bridge unless the test names another: a second driver beside the first.</summary>
    public NetworkDriverKind Kind { get; } = kind ?? NetworkDriverKind.Bridge;

    public IReadOnlyDictionary<string, BridgeNetworkConfig> Networks => _networks;
    public IReadOnlyDictionary<(string Network, string Isle), IsleEndpoint> Attachments => _attachments;
    public FirewallConfig Firewall { get; private set; } = FirewallConfig.Empty;
    public bool IsLoopbackUp(NetworkNamespace netns) => _loopbacksUp.Contains(netns);

    /// <summary>How many times <see cref="BringUpLoopback"/> was called (an attach brings lo up without it).</summary>
    public int LoopbackRequests { get; private set; }

    /// <summary>When set, runs (outside the fake's lock) before a bridge is made: a test holds one network's bridge-making there.</summary>
    public Action<BridgeNetworkConfig>? EnsureGate { get; set; }

    public void EnsureNetwork(BridgeNetworkConfig network, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        EnsureGate?.Invoke(network);
        lock (_lock) _networks[network.Name] = network;
    }

    public void Attach(BridgeNetworkConfig network, IsleEndpoint endpoint, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock) AttachLocked(network, endpoint);
    }

    void AttachLocked(BridgeNetworkConfig network, IsleEndpoint endpoint)
    {
        if (!network.Subnet.Contains(endpoint.Ip))
            throw new NetworkException($"attach isle {endpoint.Isle} to network {network.Name}: {endpoint.Ip} is outside {network.Subnet}", ErrorCategory.InvalidManifest);
        if (!_networks.ContainsKey(network.Name))
            throw new NetworkException($"attach isle {endpoint.Isle} to network {network.Name}: bridge {network.BridgeName} does not exist", ErrorCategory.NotFound);
        _attachments[(network.Name, endpoint.Isle)] = endpoint;
        _loopbacksUp.Add(endpoint.Netns);
    }

    /// <summary>When set, runs (outside the fake's lock) before an isle's veth is removed: a test holds a removal there.</summary>
    public Action<string>? DetachGate { get; set; }

    public void Detach(BridgeNetworkConfig network, string isle, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        DetachGate?.Invoke(isle);
        lock (_lock) _attachments.Remove((network.Name, isle));
    }

    public void DeleteNetwork(BridgeNetworkConfig network, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            _networks.Remove(network.Name);
            foreach (var key in _attachments.Keys.Where(k => k.Network == network.Name).ToList())
                _attachments.Remove(key);
        }
    }

    public void SyncFirewall(FirewallConfig config, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock) { Firewall = config; VerifiedSyncs++; }
    }

    public void SyncFirewallIfChanged(FirewallConfig config, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock) Firewall = config;
    }

    /// <summary>The syncs that would have asked the kernel for the ruleset's generation (<see cref="SyncFirewall"/>).</summary>
    public int VerifiedSyncs { get; private set; }

    public void BringUpLoopback(NetworkNamespace netns, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            LoopbackRequests++;
            _loopbacksUp.Add(netns);
        }
    }

    /// <summary>Addresses a namespace has besides its attachments (set by a test: an isle attached by an earlier daemon).</summary>
    public Dictionary<NetworkNamespace, List<System.Net.IPAddress>> ExtraAddresses { get; } = [];

    public IReadOnlyList<System.Net.IPAddress> Addresses(NetworkNamespace netns, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock) return _attachments.Values.Where(e => e.Netns.Equals(netns)).Select(e => e.Ip)
            .Concat(ExtraAddresses.GetValueOrDefault(netns) ?? []).ToList();
    }

    public NetworkProbe Probe(BridgeNetworkConfig network, IEnumerable<string> isles, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock) return ProbeLocked(network, isles);
    }

    NetworkProbe ProbeLocked(BridgeNetworkConfig network, IEnumerable<string> isles)
    {
        bool exists = _networks.TryGetValue(network.Name, out var actual);
        bool ready = exists && actual!.Gateway.Equals(network.Gateway) && actual.Subnet.Equals(network.Subnet);
        return new NetworkProbe(exists, ready, exists ? isles.Where(i => _attachments.ContainsKey((network.Name, i))).ToList() : []);
    }
}
