using System.Diagnostics;
using System.Net;
using Islander.Drivers.Network;
using Islander.Drivers.Network.Firewall;

namespace Islander.Integration.Tests.Network;

/// <summary>
/// Per-test world: a fresh namespace playing the host (the driver's bridges, nft table and sysctls
/// live there, never in the machine's own namespace), isle namespaces, and background processes.
/// Dispose removes the firewall and networks through the driver, then kills every namespace holder,
/// which takes any remaining link with it.
/// </summary>
internal sealed class BridgeNetworkFixture : IDisposable
{
    readonly List<TestNetns> _namespaces = [];
    readonly List<Process> _processes = [];
    readonly List<BridgeNetworkConfig> _networks = [];

    public BridgeNetworkFixture()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, "needs root (network namespaces, bridges, nftables)");
        Host = NewNetns();
        Driver = new BridgeNetworkDriver(Host.Netns);
        Driver.BringUpLoopback(Host.Netns, TestContext.Current.CancellationToken);
    }

    public TestNetns Host { get; }
    public BridgeNetworkDriver Driver { get; }

    public TestNetns NewNetns(bool withMountNs = false)
    {
        var ns = TestNetns.Create(withMountNs);
        _namespaces.Add(ns);
        return ns;
    }

    public BridgeNetworkConfig Network(string name, string subnet, bool masquerade = false, bool @internal = false)
    {
        var net = IPNetwork.Parse(subnet);
        var bytes = net.BaseAddress.GetAddressBytes();
        bytes[3] += 1;
        var config = new BridgeNetworkConfig(name, net, new IPAddress(bytes), masquerade, @internal);
        Driver.EnsureNetwork(config, TestContext.Current.CancellationToken);
        _networks.Add(config);
        return config;
    }

    /// <summary>A new isle namespace attached to {network} with {ip}.</summary>
    public TestNetns Isle(BridgeNetworkConfig network, string isle, string ip, bool withMountNs = false)
    {
        var ns = NewNetns(withMountNs);
        Driver.Attach(network, new IsleEndpoint(isle, ns.Netns, IPAddress.Parse(ip)), TestContext.Current.CancellationToken);
        return ns;
    }

    public Process Background(TestNetns ns, string command)
    {
        var p = ns.Start(command);
        _processes.Add(p);
        return p;
    }

    public void Dispose()
    {
        var errors = new List<Exception>();
        try { Driver.SyncFirewall(FirewallConfig.Empty, CancellationToken.None); }
        catch (Exception e) { errors.Add(e); }
        foreach (var n in _networks)
        {
            try { Driver.DeleteNetwork(n, CancellationToken.None); }
            catch (Exception e) { errors.Add(e); }
        }
        foreach (var p in _processes)
        {
            try { if (!p.HasExited) p.Kill(entireProcessTree: true); }
            catch (InvalidOperationException) { }
            p.Dispose();
        }
        foreach (var ns in _namespaces)
            ns.Dispose();
        if (errors.Count > 0)
            throw new AggregateException("network test cleanup failed", errors);
    }
}
