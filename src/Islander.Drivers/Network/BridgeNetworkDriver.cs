using Islander.Drivers.Network.Firewall;
using Islander.Drivers.Network.Netlink;
using Islander.Model;

namespace Islander.Drivers.Network;

/// <summary>
/// <see cref="INetworkDriver"/> on a Linux bridge per network, veth pairs, rtnetlink and nftables,
/// as the CNI bridge plugin and netavark do. {host} is the namespace that holds the bridges
/// (the daemon's own; tests pass a throwaway namespace so they never touch the machine's).
/// </summary>
public sealed class BridgeNetworkDriver(NetworkNamespace host, string nftPath = "nft") : INetworkDriver
{
    readonly Sysctl _sysctl = new(host);
    readonly NftFirewall _nft = new(host, nftPath);
    readonly Lock _firewall = new();
    FirewallConfig? _applied;       // the config of the table last applied, while the generation says it is still there
    uint _appliedGeneration;        // the ruleset's generation right after that apply

    public BridgeNetworkDriver() : this(NetworkNamespace.Current) { }

    /// <summary>This driver's line in <see cref="NetworkDriverCatalog"/>.</summary>
    public static NetworkDriverRegistration Registration { get; } = new(NetworkDriverKind.Bridge, host => new BridgeNetworkDriver(host));

    public NetworkDriverKind Kind => NetworkDriverKind.Bridge;

    public NetworkNamespace Host => host;

    public void EnsureNetwork(BridgeNetworkConfig network, CancellationToken cancellationToken)
    {
        string br = network.BridgeName;
        try
        {
            using var nl = Rtnetlink.Open(host);
            var link = nl.GetLink(br);
            if (link is null)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try { nl.CreateBridge(br); }
                catch (NetlinkException e) when (e.IsAlreadyExists) { } // created meanwhile
                link = nl.GetLink(br)!;
            }
            else if (link.Kind != "bridge")
                throw new NetworkException($"{br} exists but is a {link.Kind ?? "device"}, not a bridge", ErrorCategory.Conflict);

            int prefix = network.Subnet.PrefixLength;
            bool hasGateway = false;
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var a in nl.ListAddresses(br))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (a.Address.Equals(network.Gateway) && a.PrefixLength == prefix)
                    hasGateway = true;
                else
                    nl.DeleteAddress(br, a.Address, a.PrefixLength); // a previous subnet or gateway
            }
            cancellationToken.ThrowIfCancellationRequested();
            if (!hasGateway)
                nl.AddAddress(br, network.Gateway, prefix);
            cancellationToken.ThrowIfCancellationRequested();
            if (!link.IsUp)
                nl.SetUp(br);
            cancellationToken.ThrowIfCancellationRequested();
            if (network.Masquerade && !network.Internal)
                _sysctl.Set("net/ipv4/ip_forward", "1");
        }
        catch (Exception e) when (e is IslanderException and not NetworkException)
        {
            throw NetworkException.Wrap($"ensure network {network.Name} (bridge {br})", e);
        }
    }

    /// <remarks>
    /// Five netlink round trips on two sockets: the bridge and the host end looked up; the pair made in one request
    /// (the peer created in the isle's namespace under its final name, the host end enslaved and up); the isle's links
    /// listed (the peer's and lo's indexes); its address, both links up and the default route sent together
    /// (<see cref="Rtnetlink.ExecuteAll"/>). A leftover under the wanted name inside the isle is removed only when the
    /// kernel refuses the pair for it.
    /// </remarks>
    public void Attach(BridgeNetworkConfig network, IsleEndpoint endpoint, CancellationToken cancellationToken)
    {
        if (!network.Subnet.Contains(endpoint.Ip))
            throw new NetworkException($"attach isle {endpoint.Isle} to network {network.Name}: {endpoint.Ip} is outside {network.Subnet}", ErrorCategory.InvalidManifest);
        string br = network.BridgeName;
        string hostVeth = NetworkNames.HostVeth(network.Name, endpoint.Isle);
        int prefix = network.Subnet.PrefixLength;
        try
        {
            using var nl = Rtnetlink.Open(host);
            using var inside = Rtnetlink.Open(endpoint.Netns);
            var bridge = nl.GetLink(br)
                ?? throw new NetworkException($"bridge {br} does not exist (ensure the network first)", ErrorCategory.NotFound);

            cancellationToken.ThrowIfCancellationRequested();
            var existing = nl.GetLink(hostVeth);
            if (existing is not null)
            {
                if (IsComplete(network, endpoint, bridge, existing, inside))
                    return;
                cancellationToken.ThrowIfCancellationRequested();
                nl.DeleteLink(hostVeth); // takes its peer with it
            }

            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                nl.CreateVeth(hostVeth, endpoint.IfName, endpoint.Netns, bridge.Index, up: true);
            }
            catch (NetlinkException e) when (e.IsAlreadyExists)
            {
                // An old interface under the wanted name inside the isle: removed, and the pair made again.
                cancellationToken.ThrowIfCancellationRequested();
                inside.DeleteLink(endpoint.IfName);
                nl.CreateVeth(hostVeth, endpoint.IfName, endpoint.Netns, bridge.Index, up: true);
            }
            try
            {
                // A cancellation between two requests removes the half-made pair, as a failure does.
                cancellationToken.ThrowIfCancellationRequested();
                var links = inside.ListLinks();
                int index = links.FirstOrDefault(l => l.Name == endpoint.IfName)?.Index
                    ?? throw new NetlinkException($"RTM_GETLINK (ip link show {endpoint.IfName})", Interop.Errno.ENODEV, $"no link named {endpoint.IfName} in {endpoint.Netns}");
                int lo = links.FirstOrDefault(l => l.Name == "lo")?.Index
                    ?? throw new NetlinkException("RTM_GETLINK (ip link show lo)", Interop.Errno.ENODEV, $"no link named lo in {endpoint.Netns}");
                var steps = new List<(byte[], string, Func<NetlinkException, bool>?)>
                {
                    (RtnlRequest.NewAddress(index, endpoint.Ip, prefix), $"RTM_NEWADDR (ip addr add {endpoint.Ip}/{prefix} dev {endpoint.IfName})", null),
                    (RtnlRequest.SetUp(index), $"RTM_NEWLINK (ip link set {endpoint.IfName} up)", null),
                    (RtnlRequest.SetUp(lo), "RTM_NEWLINK (ip link set lo up)", null),
                };
                if (endpoint.DefaultRoute && !network.Internal)
                    steps.Add((RtnlRequest.NewDefaultRoute(network.Gateway), $"RTM_NEWROUTE (ip route add default via {network.Gateway})", e => e.IsAlreadyExists));
                cancellationToken.ThrowIfCancellationRequested();
                inside.ExecuteAll(steps);
            }
            catch (Exception e) when (e is IslanderException or OperationCanceledException)
            {
                nl.DeleteLink(hostVeth); // takes the peer with it; the next attempt starts clean
                throw;
            }
        }
        catch (Exception e) when (e is IslanderException)
        {
            throw NetworkException.Wrap($"attach isle {endpoint.Isle} to network {network.Name} ({endpoint.IfName} {endpoint.Ip}/{prefix})", e);
        }
    }

    static bool IsComplete(BridgeNetworkConfig network, IsleEndpoint endpoint, NetworkLink bridge, NetworkLink hostEnd, Rtnetlink inside)
    {
        if (hostEnd.MasterIndex != bridge.Index || !hostEnd.IsUp)
            return false;
        var isleEnd = inside.GetLink(endpoint.IfName);
        if (isleEnd is null || !isleEnd.IsUp || isleEnd.Kind != "veth" || hostEnd.PeerIndex != isleEnd.Index || hostEnd.PeerNetnsId is null)
            return false;
        return inside.ListAddresses(endpoint.IfName).Any(a => a.Address.Equals(endpoint.Ip) && a.PrefixLength == network.Subnet.PrefixLength)
            && (inside.GetLink("lo")?.IsUp ?? false);
    }

    public void Detach(BridgeNetworkConfig network, string isle, CancellationToken cancellationToken)
    {
        string hostVeth = NetworkNames.HostVeth(network.Name, isle);
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var nl = Rtnetlink.Open(host);
            nl.DeleteLink(hostVeth);
        }
        catch (Exception e) when (e is IslanderException)
        {
            throw NetworkException.Wrap($"detach isle {isle} from network {network.Name} ({hostVeth})", e);
        }
    }

    public void DeleteNetwork(BridgeNetworkConfig network, CancellationToken cancellationToken)
    {
        string br = network.BridgeName;
        try
        {
            using var nl = Rtnetlink.Open(host);
            var bridge = nl.GetLink(br);
            if (bridge is null)
                return;
            foreach (var l in nl.ListLinks())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (l.MasterIndex == bridge.Index && l.Name.StartsWith("isl-", StringComparison.Ordinal))
                    nl.DeleteLink(l.Name);
            }
            cancellationToken.ThrowIfCancellationRequested();
            nl.DeleteLink(br);
        }
        catch (Exception e) when (e is IslanderException)
        {
            throw NetworkException.Wrap($"delete network {network.Name} (bridge {br})", e);
        }
    }

    public void SyncFirewall(FirewallConfig config, CancellationToken cancellationToken) => SyncFirewall(config, verify: true, cancellationToken);

    public void SyncFirewallIfChanged(FirewallConfig config, CancellationToken cancellationToken) => SyncFirewall(config, verify: false, cancellationToken);

    void SyncFirewall(FirewallConfig config, bool verify, CancellationToken cancellationToken)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            lock (_firewall)
            {
                // An nft process costs 20 to 40 ms; a start or stop of an isle that publishes no port changes nothing
                // in the table. It is applied again when the config differs or, when verified, when any nftables
                // transaction ran since the last apply (a table or rule removed by hand, someone else's table): the
                // generation tells. Unverified and the same, nothing else is to do (the sysctls below follow a change
                // of ports, or a bridge made again, which the network's pass syncs verified).
                if (!verify && _applied is { } same && same.SameAs(config))
                    return;
                if (_applied is not { } last || !last.SameAs(config) || _nft.Generation() is not { } now || now != _appliedGeneration)
                {
                    _applied = null;
                    var before = _nft.Generation();
                    _nft.Apply(NftRuleset.Render(config));
                    // Ours alone only when the generation moved by exactly our one transaction; else unknown, applied next time.
                    if (before is { } b && _nft.Generation() is { } after && after == unchecked(b + 1))
                        (_applied, _appliedGeneration) = (config, after);
                }
            }
            if (config.Ports.Count > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                // External clients of published ports are forwarded; host clients of 127.0.0.1 need
                // route_localnet on the bridges (see NftRuleset). The guard rule is already in place.
                // Set on every sync, applied or not: a bridge made again starts without it.
                _sysctl.Set("net/ipv4/ip_forward", "1");
                foreach (var n in config.Networks)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (host.Run(() => Directory.Exists($"/proc/sys/net/ipv4/conf/{n.BridgeName}")))
                        _sysctl.Set($"net/ipv4/conf/{n.BridgeName}/route_localnet", "1");
                }
            }
        }
        catch (Exception e) when (e is IslanderException and not NetworkException)
        {
            throw NetworkException.Wrap("sync firewall (nft table ip islander)", e);
        }
    }

    public IReadOnlyList<System.Net.IPAddress> Addresses(NetworkNamespace netns, CancellationToken cancellationToken)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var nl = Rtnetlink.Open(netns);
            return nl.ListAddresses().Select(a => a.Address).Where(a => !System.Net.IPAddress.IsLoopback(a)).ToList();
        }
        catch (Exception e) when (e is IslanderException)
        {
            throw NetworkException.Wrap($"list addresses in {netns}", e);
        }
    }

    public void BringUpLoopback(NetworkNamespace netns, CancellationToken cancellationToken)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var nl = Rtnetlink.Open(netns);
            nl.SetUp("lo");
        }
        catch (Exception e) when (e is IslanderException)
        {
            throw NetworkException.Wrap($"bring up lo in {netns}", e);
        }
    }

    public NetworkProbe Probe(BridgeNetworkConfig network, IEnumerable<string> isles, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var nl = Rtnetlink.Open(host);
        var bridge = nl.GetLink(network.BridgeName);
        if (bridge is null)
            return new NetworkProbe(false, false, []);
        bool ready = bridge.IsUp && nl.ListAddresses(network.BridgeName)
            .Any(a => a.Address.Equals(network.Gateway) && a.PrefixLength == network.Subnet.PrefixLength);
        var attached = isles
            .Where(i =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                return nl.GetLink(NetworkNames.HostVeth(network.Name, i)) is { } l && l.MasterIndex == bridge.Index;
            })
            .ToList();
        return new NetworkProbe(true, ready, attached);
    }
}
