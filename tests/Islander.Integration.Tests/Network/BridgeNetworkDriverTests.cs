using System.Net;
using Islander.Drivers.Network;
using Islander.Drivers.Network.Firewall;
using Islander.Model;

namespace Islander.Integration.Tests.Network;

/// <summary>
/// The bridge driver against the real kernel. Every test builds its own "host" namespace, so the
/// machine's interfaces, routes and nftables are never touched; subnets are 10.211.x.0/24 and the
/// simulated remote host sits on 10.213.0.0/30.
/// </summary>
[Collection(NetworkTestCollection.Name)]
public sealed class BridgeNetworkDriverTests
{
    [Fact]
    public void Attach_TwoIslesOnOneNetwork_PingAndTcpByAddressAndName()
    {
        using var f = new BridgeNetworkFixture();
        var net = f.Network("front", "10.211.1.0/24");
        var a = f.Isle(net, "alpha", "10.211.1.2", withMountNs: true);
        var b = f.Isle(net, "beta", "10.211.1.3", withMountNs: true);

        // Names: the hosts file the caller would bind-mount into each isle.
        NetworkMember[] members = [new("front", "alpha", IPAddress.Parse("10.211.1.2")), new("front", "beta", IPAddress.Parse("10.211.1.3"))];
        foreach (var (ns, isle) in new[] { (a, "alpha"), (b, "beta") })
        {
            string file = Path.Combine(Path.GetTempPath(), $"islander-hosts-{Guid.NewGuid():N}");
            File.WriteAllText(file, HostsFile.Render(isle, isle, members));
            ns.Ok($"mount --bind {file} /etc/hosts", mount: true);
            File.Delete(file); // the bind mount keeps the inode alive inside the isle
        }

        Assert.True(a.Pings("10.211.1.3"), "alpha cannot ping beta");
        Assert.True(b.Pings("10.211.1.2"), "beta cannot ping alpha");
        a.Ok("busybox ping -c 1 -W 2 beta", mount: true);

        var listener = f.Background(b, "busybox nc -l -p 5000");
        Thread.Sleep(200);
        a.Ok("echo hello-over-tcp | busybox nc -w 2 beta 5000", mount: true);
        Assert.True(listener.WaitForExit(5000), "listener did not finish");
        Assert.Contains("hello-over-tcp", listener.StandardOutput.ReadToEnd());

        // Inside: eth0 with the address, default route via the gateway, lo up.
        Assert.Contains("inet 10.211.1.2/24", a.Ok("ip -4 -o addr show dev eth0"));
        Assert.Contains("inet 127.0.0.1/8", a.Ok("ip -4 -o addr show dev lo"));
        Assert.Contains("default via 10.211.1.1 dev eth0", a.Ok("ip route"));
    }

    [Fact]
    public void Attach_Twice_IsANoOpAndProbeSeesIt()
    {
        using var f = new BridgeNetworkFixture();
        var net = f.Network("idem", "10.211.6.0/24");
        var a = f.Isle(net, "alpha", "10.211.6.2");
        string before = a.Ok("ip -o link show eth0");

        f.Driver.EnsureNetwork(net, TestContext.Current.CancellationToken);
        f.Driver.Attach(net, new IsleEndpoint("alpha", a.Netns, IPAddress.Parse("10.211.6.2")), TestContext.Current.CancellationToken);

        Assert.Equal(before, a.Ok("ip -o link show eth0")); // same ifindex: not recreated
        AssertProbe(f.Driver.Probe(net, ["alpha", "nobody"], TestContext.Current.CancellationToken), true, true, "alpha");
        Assert.True(a.Pings("10.211.6.1"));
    }

    [Fact]
    public void Attach_NewAddress_ReplacesTheOldAttachment()
    {
        using var f = new BridgeNetworkFixture();
        var net = f.Network("readdr", "10.211.7.0/24");
        var a = f.Isle(net, "alpha", "10.211.7.2");

        f.Driver.Attach(net, new IsleEndpoint("alpha", a.Netns, IPAddress.Parse("10.211.7.9")), TestContext.Current.CancellationToken);

        string addr = a.Ok("ip -4 -o addr show dev eth0");
        Assert.Contains("10.211.7.9/24", addr);
        Assert.DoesNotContain("10.211.7.2/", addr);
        Assert.True(a.Pings("10.211.7.1"));
    }

    [Fact]
    public void Attach_SecondNetwork_BecomesEth1WithoutSecondDefaultRoute()
    {
        using var f = new BridgeNetworkFixture();
        var n1 = f.Network("one", "10.211.8.0/24");
        var n2 = f.Network("two", "10.211.9.0/24");
        var a = f.Isle(n1, "alpha", "10.211.8.2");
        f.Driver.Attach(n2, new IsleEndpoint("alpha", a.Netns, IPAddress.Parse("10.211.9.2"), "eth1", DefaultRoute: false), TestContext.Current.CancellationToken);

        Assert.Contains("10.211.9.2/24", a.Ok("ip -4 -o addr show dev eth1"));
        Assert.True(a.Pings("10.211.9.1"));
        Assert.Equal("default via 10.211.8.1 dev eth0", a.Ok("ip route show default").Trim());
    }

    [Fact]
    public void Attach_AnInterfaceUnderTheWantedNameInsideTheIsle_IsReplaced_OnlyThePairIsLeft()
    {
        using var f = new BridgeNetworkFixture();
        var net = f.Network("stale", "10.211.18.0/24");
        var a = f.NewNetns();
        a.Ok("ip link add eth0 type veth peer name stale0 && ip addr add 192.0.2.7/24 dev eth0"); // a pair inside: both ends go with eth0

        f.Driver.Attach(net, new IsleEndpoint("alpha", a.Netns, IPAddress.Parse("10.211.18.2")), TestContext.Current.CancellationToken);

        Assert.Contains("veth", a.Ok("ip -d -o link show eth0"));
        string addr = a.Ok("ip -4 -o addr show dev eth0");
        Assert.Contains("10.211.18.2/24", addr);
        Assert.DoesNotContain("192.0.2.7", addr);
        Assert.Equal("default via 10.211.18.1 dev eth0", a.Ok("ip route show default").Trim());
        Assert.True(a.Pings("10.211.18.1"));
        // Inside: lo and the pair's end, nothing else; on the host, the pair's end on the bridge, up.
        Assert.Equal(["eth0", "lo"], a.Ok("ip -o link show").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(':')[1].Trim().Split('@')[0]).Order(StringComparer.Ordinal));
        Assert.Contains($"master {net.BridgeName} state UP", f.Host.Ok($"ip -o link show {NetworkNames.HostVeth("stale", "alpha")}"));
    }

    [Fact]
    public void SyncFirewallIfChanged_SameConfig_NoKernelCall_AChangedOneIsApplied_TheVerifiedSyncRepairs()
    {
        using var f = new BridgeNetworkFixture();
        var net = f.Network("quiet", "10.211.19.0/24");
        var web = new PortPublication("web", IPAddress.Parse("10.211.19.2"), 8080, 18083);
        var ct = TestContext.Current.CancellationToken;

        f.Driver.SyncFirewall(new FirewallConfig([net], []), ct);
        f.Host.Ok("nft delete table ip islander"); // someone else's change
        f.Driver.SyncFirewallIfChanged(new FirewallConfig([net], []), ct);
        Assert.DoesNotContain("islander", f.Host.Ok("nft list tables")); // the same config: the kernel was not asked

        f.Driver.SyncFirewallIfChanged(new FirewallConfig([net], [web]), ct); // an isle publishing a port
        Assert.Contains("tcp . 18083 comment \"isle web\" : 10.211.19.2 . 8080", f.Host.Ok("nft list table ip islander"));

        f.Host.Ok("nft delete table ip islander");
        f.Driver.SyncFirewall(new FirewallConfig([net], [web]), ct); // a network's pass
        Assert.Contains("tcp . 18083 comment \"isle web\" : 10.211.19.2 . 8080", f.Host.Ok("nft list table ip islander"));
    }

    [Fact]
    public void SyncFirewall_TwoNetworks_IsolatesThem()
    {
        using var f = new BridgeNetworkFixture();
        var n1 = f.Network("red", "10.211.2.0/24", masquerade: true); // masquerade turns on ip_forward
        var n2 = f.Network("blue", "10.211.3.0/24");
        var a = f.Isle(n1, "alpha", "10.211.2.2");
        var c = f.Isle(n2, "gamma", "10.211.3.2");
        Assert.Equal("1", f.Host.Ok("cat /proc/sys/net/ipv4/ip_forward").Trim());
        Assert.True(a.Pings("10.211.3.2"), "control: without the firewall the host routes between bridges");

        f.Driver.SyncFirewall(new FirewallConfig([n1, n2], []), TestContext.Current.CancellationToken);

        Assert.False(a.Pings("10.211.3.2", 1), "red reaches blue");
        Assert.False(c.Pings("10.211.2.2", 1), "blue reaches red");
        Assert.True(a.Pings("10.211.2.1"), "red lost its own gateway");
        Assert.True(c.Pings("10.211.3.1"), "blue lost its own gateway");
    }

    [Fact]
    public void SyncFirewall_Masquerade_RemoteHostSeesTheHostAddress()
    {
        using var f = new BridgeNetworkFixture();
        var remote = AddRemote(f);
        var net = f.Network("outbound", "10.211.4.0/24", masquerade: true);
        var a = f.Isle(net, "alpha", "10.211.4.2");
        f.Driver.SyncFirewall(new FirewallConfig([net], []), TestContext.Current.CancellationToken);

        // The remote answers each connection with its own socket table, which names the peer it sees.
        f.Background(remote, "busybox nc -ll -p 6000 -e /usr/bin/ss -tnH");
        Thread.Sleep(200);
        string seen = a.Ok("busybox nc -w 2 10.213.0.2 6000 </dev/null");

        Assert.Contains("10.213.0.1]:", seen); // the host's address on the remote link...
        Assert.DoesNotContain("10.211.4.2", seen); // ...not the isle's
        Assert.True(a.Pings("10.213.0.2"));
    }

    [Fact]
    public void SyncFirewall_InternalNetwork_HasNoRouteOut()
    {
        using var f = new BridgeNetworkFixture();
        var remote = AddRemote(f);
        var net = f.Network("secret", "10.211.10.0/24", masquerade: true, @internal: true);
        var a = f.Isle(net, "alpha", "10.211.10.2");
        var b = f.Isle(net, "beta", "10.211.10.3");
        f.Host.Ok("echo 1 > /proc/sys/net/ipv4/ip_forward");
        a.Ok("ip route add default via 10.211.10.1"); // even a route added by hand goes nowhere
        f.Driver.SyncFirewall(new FirewallConfig([net], []), TestContext.Current.CancellationToken);

        Assert.True(a.Pings("10.211.10.3"), "isles on one internal network must reach each other");
        Assert.False(a.Pings("10.213.0.2", 1), "internal network reached the remote host");
        Assert.DoesNotContain("default", b.Ok("ip route"));
    }

    [Fact]
    public void SyncFirewall_PublishedPort_ReachableOnLoopbackGatewayAndFromOutside()
    {
        using var f = new BridgeNetworkFixture();
        var remote = AddRemote(f);
        var net = f.Network("web", "10.211.5.0/24");
        var a = f.Isle(net, "alpha", "10.211.5.2");
        f.Background(a, "busybox nc -ll -p 8080 -e /bin/echo pong-from-isle");
        f.Driver.SyncFirewall(new FirewallConfig([net], [new PortPublication("alpha", IPAddress.Parse("10.211.5.2"), 8080, 18080)]), TestContext.Current.CancellationToken);
        Thread.Sleep(200);

        Assert.Contains("pong-from-isle", f.Host.Ok("busybox nc -w 2 127.0.0.1 18080 </dev/null"));
        Assert.Contains("pong-from-isle", f.Host.Ok("busybox nc -w 2 10.211.5.1 18080 </dev/null"));
        Assert.Contains("pong-from-isle", remote.Ok("busybox nc -w 2 10.213.0.1 18080 </dev/null"));
        // The route_localnet guard: an isle cannot reach the host's loopback services.
        f.Background(f.Host, "busybox nc -ll -s 127.0.0.1 -p 9999 -e /bin/echo leaked");
        a.Ok("ip route add 127.0.0.0/8 via 10.211.5.1 dev eth0 onlink || true");
        Assert.DoesNotContain("leaked", a.Run("busybox nc -w 1 127.0.0.1 9999 </dev/null", 5000).Out);
    }

    [Fact]
    public void Cleanup_DetachDeleteAndEmptyFirewall_LeaveNothing()
    {
        using var f = new BridgeNetworkFixture();
        var net = f.Network("tidy", "10.211.11.0/24", masquerade: true);
        var a = f.Isle(net, "alpha", "10.211.11.2");
        var b = f.Isle(net, "beta", "10.211.11.3");
        f.Driver.SyncFirewall(new FirewallConfig([net], [new PortPublication("alpha", IPAddress.Parse("10.211.11.2"), 80, 18081)]), TestContext.Current.CancellationToken);
        Assert.Contains("table ip islander", f.Host.Ok("nft list tables"));

        f.Driver.Detach(net, "alpha", TestContext.Current.CancellationToken);
        f.Driver.Detach(net, "alpha", TestContext.Current.CancellationToken); // idempotent
        AssertProbe(f.Driver.Probe(net, ["alpha", "beta"], TestContext.Current.CancellationToken), true, true, "beta");
        Assert.DoesNotContain("eth0", a.Ok("ip -o link"));
        f.Driver.DeleteNetwork(net, TestContext.Current.CancellationToken); // beta's veth goes with the bridge
        f.Driver.DeleteNetwork(net, TestContext.Current.CancellationToken);
        f.Driver.SyncFirewall(FirewallConfig.Empty, TestContext.Current.CancellationToken);
        f.Driver.SyncFirewall(FirewallConfig.Empty, TestContext.Current.CancellationToken);

        Assert.DoesNotContain("isl", f.Host.Ok("ip -o link"));
        Assert.DoesNotContain("islander", f.Host.Ok("nft list tables"));
        Assert.DoesNotContain("eth0", b.Ok("ip -o link"));
        AssertProbe(f.Driver.Probe(net, ["alpha", "beta"], TestContext.Current.CancellationToken), false, false);
        // And the machine's own namespace never saw any of it.
        Assert.DoesNotContain(" isl", Shell.Ok("ip -o link"));
        Assert.DoesNotContain("islander", Shell.Ok("nft list tables"));
    }

    [Fact]
    public void BringUpLoopback_IsleWithoutNetwork_HasWorkingLo()
    {
        using var f = new BridgeNetworkFixture();
        var a = f.NewNetns();
        Assert.False(a.Pings("127.0.0.1", 1));

        f.Driver.BringUpLoopback(a.Netns, TestContext.Current.CancellationToken);
        f.Driver.BringUpLoopback(a.Netns, TestContext.Current.CancellationToken);

        Assert.True(a.Pings("127.0.0.1"));
        Assert.Equal(["lo"], a.Ok("ip -o link").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(':')[1].Trim()));
    }

    [Fact]
    public void Attach_AddressOutsideSubnet_IsInvalid()
    {
        using var f = new BridgeNetworkFixture();
        var net = f.Network("strict", "10.211.12.0/24");
        var a = f.NewNetns();

        var e = Assert.Throws<NetworkException>(() => f.Driver.Attach(net, new IsleEndpoint("alpha", a.Netns, IPAddress.Parse("10.211.13.2")), TestContext.Current.CancellationToken));
        Assert.Equal(ErrorCategory.InvalidManifest, e.Category);
    }

    [Fact]
    public void Attach_MissingNetwork_IsNotFoundAndLeavesNoVeth()
    {
        using var f = new BridgeNetworkFixture();
        var net = new BridgeNetworkConfig("ghost", IPNetwork.Parse("10.211.14.0/24"), IPAddress.Parse("10.211.14.1"));
        var a = f.NewNetns();

        var e = Assert.Throws<NetworkException>(() => f.Driver.Attach(net, new IsleEndpoint("alpha", a.Netns, IPAddress.Parse("10.211.14.2")), TestContext.Current.CancellationToken));
        Assert.Equal(ErrorCategory.NotFound, e.Category);
        Assert.DoesNotContain("isl", f.Host.Ok("ip -o link"));
    }

    [Fact]
    public void SyncFirewall_EveryFeatureAtOnce_IsAcceptedByTheKernelAndReplacedOnRerun()
    {
        using var f = new BridgeNetworkFixture();
        var n1 = f.Network("front", "10.211.15.0/24", masquerade: true);
        var n2 = f.Network("vault", "10.211.16.0/24", @internal: true);
        var config = new FirewallConfig([n1, n2],
        [
            new PortPublication("web", IPAddress.Parse("10.211.15.2"), 8080, 18080),
            new PortPublication("dns", IPAddress.Parse("10.211.16.3"), 53, 5353, PortProtocol.Udp, IPAddress.Parse("10.211.15.1")),
        ]);

        f.Driver.SyncFirewall(config, TestContext.Current.CancellationToken);
        string first = f.Host.Ok("nft list table ip islander");
        f.Driver.SyncFirewall(config, TestContext.Current.CancellationToken);

        Assert.Equal(first, f.Host.Ok("nft list table ip islander"));
        Assert.Contains("10.211.15.1 . udp . 5353 comment \"isle dns\" : 10.211.16.3 . 53", first); // an element of the ports' map
        Assert.Contains("tcp . 18080 comment \"isle web\" : 10.211.15.2 . 8080", first);
        Assert.Equal("1", f.Host.Ok("cat /proc/sys/net/ipv4/conf/islbr-front/route_localnet").Trim());
    }

    [Fact]
    public void SyncFirewall_SameConfig_LeavesTheKernelAlone_UntilAnyoneChangesTheRuleset()
    {
        using var f = new BridgeNetworkFixture();
        var net = f.Network("steady", "10.211.17.0/24", masquerade: true);
        var web = new PortPublication("web", IPAddress.Parse("10.211.17.2"), 8080, 18082);
        var config = new FirewallConfig([net], [web]);
        var ct = TestContext.Current.CancellationToken;
        uint? Generation() => f.Host.Netns.Run(NftGeneration.Read);

        f.Driver.SyncFirewall(config, ct);
        var applied = Generation();
        Assert.NotNull(applied);
        f.Driver.SyncFirewall(config, ct);
        f.Driver.SyncFirewall(new FirewallConfig([net], [web with { }]), ct); // equal, another instance
        Assert.Equal(applied, Generation()); // no transaction: nothing was applied

        // Removed by hand: the same config applies again and the table is back.
        f.Host.Ok("nft delete table ip islander");
        f.Driver.SyncFirewall(config, ct);
        Assert.Contains("tcp . 18082 comment \"isle web\" : 10.211.17.2 . 8080", f.Host.Ok("nft list table ip islander"));

        // A rule of someone else's table moves the generation too: applied again, which is harmless.
        f.Host.Ok("nft add table ip other");
        var before = Generation();
        f.Driver.SyncFirewall(config, ct);
        Assert.NotEqual(before, Generation());
        f.Host.Ok("nft delete table ip other");

        // Another config is applied.
        f.Driver.SyncFirewall(new FirewallConfig([net], [web, new PortPublication("db", IPAddress.Parse("10.211.17.3"), 5432, 15432)]), ct);
        Assert.Contains("tcp . 15432 comment \"isle db\" : 10.211.17.3 . 5432", f.Host.Ok("nft list table ip islander"));
        f.Driver.SyncFirewall(FirewallConfig.Empty, ct);
        Assert.DoesNotContain("islander", f.Host.Ok("nft list tables"));
    }

    /// <summary>A "remote host": a namespace linked to the test host by a veth, 10.213.0.1 (host) - 10.213.0.2 (remote), with no route back to any isle subnet.</summary>
    static TestNetns AddRemote(BridgeNetworkFixture f)
    {
        var remote = f.NewNetns();
        f.Host.Ok($"ip link add rmt0 type veth peer name eth0 netns {remote.Pid} && ip addr add 10.213.0.1/30 dev rmt0 && ip link set rmt0 up");
        remote.Ok("ip addr add 10.213.0.2/30 dev eth0 && ip link set eth0 up && ip link set lo up");
        return remote;
    }

    static void AssertProbe(NetworkProbe probe, bool exists, bool ready, params string[] attached)
    {
        Assert.Equal(exists, probe.BridgeExists);
        Assert.Equal(ready, probe.BridgeReady);
        Assert.Equal(attached, probe.AttachedIsles);
    }

}
