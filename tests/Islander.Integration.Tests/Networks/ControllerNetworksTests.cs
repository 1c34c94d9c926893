using System.Text.Json.Nodes;
using Islander.Controller.Desired;
using Islander.Controller.Hosting;
using Islander.Controller.Lifecycle;
using Islander.Controller.Networks;
using Islander.Controller.Reconcile;
using Islander.Controller.Runtime;
using Islander.Controller.State;
using Islander.Drivers.Network;
using Islander.Drivers.Volumes;
using Islander.Integration.Tests.Isles;
using Islander.Integration.Tests.Network;
using Islander.Model;
using Islander.Testing;
using Islander.Testing.Fakes;
using Microsoft.Extensions.DependencyInjection;

namespace Islander.Integration.Tests.Networks;

/// <summary>
/// The controller composed as islanderd composes it (reconcile loop, networks, start plans) over the real IsleRuntime and
/// the real bridge driver. Bridges and the nftables table live in a throwaway "host" namespace, so the machine's own
/// links and firewall are never touched; isles get fresh namespaces of their own as always.
/// </summary>
[Collection(IsleCollection.Name)]
public sealed class ControllerNetworksTests : IAsyncDisposable
{
    readonly IsleHarness _isles = new();
    readonly TestNetns _host = TestNetns.Create();
    readonly ServiceProvider _services;
    readonly StateStore _store;
    readonly DesiredStore _desired;
    readonly ReconcileLoop _loop;
    readonly IsleRuntimeAdapter _runtime;
    readonly StartPlanner _planner;
    readonly IsleNetworking _networking;

    public ControllerNetworksTests()
    {
        HostCaps.RequireRoot();
        _host.Ok("ip link set lo up"); // as on a real host: the published port is tried on 127.0.0.1
        var options = new DaemonOptions
        {
            State = Path.Combine(_isles.HostDir, "cstate"), Run = Path.Combine(_isles.HostDir, "crun"), RestartBackoff = new RestartBackoff(),
        };
        Directory.CreateDirectory(options.State);
        var drivers = NetworkDriverSet.Open(_host.Netns);
        _runtime = new IsleRuntimeAdapter(_isles.Runtime, drivers);
        var services = new ServiceCollection().AddLogging();
        services.AddIslanderController(options, DaemonParts.Of(_runtime, drivers, new VolumeDriverSet([]), new FakeImageStore()));
        _services = services.BuildServiceProvider();
        _store = _services.GetRequiredService<StateStore>();
        _desired = _services.GetRequiredService<DesiredStore>();
        _loop = _services.GetRequiredService<ReconcileLoop>();
        _planner = _services.GetRequiredService<StartPlanner>();
        _networking = _services.GetRequiredService<IsleNetworking>();
    }

    static CancellationToken Ct => TestContext.Current.CancellationToken;

    void Network(string name, string subnet) =>
        _desired.Apply(new DesiredObject(new ObjectKey(ObjectKind.Network, name), new Dictionary<string, string>(),
            new JsonObject { ["subnet"] = subnet, ["masquerade"] = false, ["internal"] = false }, null, "test"));

    void Isle(string name, IsleSpec spec) => _desired.Apply(DesiredObject.ForIsle(name, spec, "test"));

    static IsleSpec Busybox(string script, params NetworkAttachment[] networks) => new()
    {
        Rootfs = TestRootfs.Busybox, Command = ["/bin/sh", "-c", script], Networks = networks, RestartPolicy = RestartPolicy.Never,
    };

    const string Server = "while true; do echo pong | nc -l -p 7000; done";

    /// <summary>The isles of the two-networks test.</summary>
    static readonly string[] TwoNetworksNames = ["srv", "cli", "far", "cli2"];

    async Task SettleAsync()
    {
        for (int quiet = 0; quiet < 3;)
        {
            quiet = await _loop.ProcessReadyAsync(Ct) > 0 ? 0 : quiet + 1;
            await Task.Delay(20, Ct);
        }
    }

    /// <summary>Runs a one-shot client isle to its end and returns its log.</summary>
    async Task<string> ClientAsync(string name, string script, params NetworkAttachment[] networks)
    {
        Isle(name, Busybox(script, networks));
        await SettleAsync();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (_runtime.Probe(name).State == Controller.Ports.IsleProcessState.Running && DateTime.UtcNow < deadline)
            await Task.Delay(100, Ct);
        return _isles.Log(name);
    }

    [Fact]
    public async Task TwoIsles_ByName_PingAndTcp_PublishedPort_Isolation_NameFollows_CleanupLeavesNothing()
    {
        string n1 = "nw" + Guid.NewGuid().ToString("N")[..6], n2 = "nx" + Guid.NewGuid().ToString("N")[..6];
        Network(n1, "10.231.1.0/24");
        Network(n2, "10.231.2.0/24");
        Isle("srv", Busybox(Server, new NetworkAttachment(n1, "10.231.1.10")) with { Ports = [new PortMapping(7000, 17000)] });
        await SettleAsync();
        Assert.Equal(IslePhase.Running, _store.GetIsle("srv")?.State);
        Assert.Equal("10.231.1.10", _store.GetIsle("srv")!.Addresses[n1]);

        // By name: ping and TCP.
        var log = await ClientAsync("cli", "ping -c 1 -W 3 srv && echo PING_OK; nc srv 7000 </dev/null", new NetworkAttachment(n1));
        Assert.Contains("PING_OK", log);
        Assert.Contains("pong", log);
        Assert.Contains("10.231.1.10\tsrv", File.ReadAllText(_networking.HostsFileOf("cli")));

        // Published port from the host's 127.0.0.1.
        Assert.Contains("pong", _host.Ok("bash -c 'exec 3<>/dev/tcp/127.0.0.1/17000; timeout 5 cat <&3'"));

        // Another network cannot reach it.
        var other = await ClientAsync("far", "ping -c 1 -W 2 10.231.1.10 && echo REACHED; nc -w 2 10.231.1.10 7000 </dev/null; echo DONE", new NetworkAttachment(n2));
        Assert.Contains("DONE", other);
        Assert.DoesNotContain("REACHED", other);
        Assert.DoesNotContain("pong", other);

        // Recreated with a new address: the name follows (hosts files rewritten in place).
        Isle("srv", Busybox(Server, new NetworkAttachment(n1, "10.231.1.20")) with { Ports = [new PortMapping(7000, 17000)] });
        await SettleAsync();
        Assert.Equal("10.231.1.20", _store.GetIsle("srv")!.Addresses[n1]);
        var again = await ClientAsync("cli2", "nc srv 7000 </dev/null; grep srv /etc/hosts", new NetworkAttachment(n1));
        Assert.Contains("pong", again);
        Assert.Contains("10.231.1.20", again);

        // Delete everything: no links, no table.
        foreach (var isle in TwoNetworksNames) _desired.Delete(ObjectKey.Isle(isle));
        _desired.Delete(new ObjectKey(ObjectKind.Network, n1));
        _desired.Delete(new ObjectKey(ObjectKind.Network, n2));
        await SettleAsync();
        await SettleAsync();
        Assert.Empty(_store.Networks());
        Assert.DoesNotContain("isl", _host.Ok("ip -o link show"));
        Assert.DoesNotContain("islander", _host.Ok("nft list tables"));
    }

    /// <summary>
    /// A user's stop and start of a networked isle: stopped, it keeps its address and its veth goes with its namespace
    /// (the kernel's doing); started again, it has the same address, reachable from a neighbour; deleted, nothing is left.
    /// </summary>
    [Fact]
    public async Task StopAndStart_SameAddress_VethGoesWithTheNamespace_ReachableAgain_DeleteLeavesNothing()
    {
        string net = "ns" + Guid.NewGuid().ToString("N")[..6];
        Network(net, "10.231.9.0/24");
        Isle("stp", Busybox(Sleeper, new NetworkAttachment(net, "10.231.9.10")) with { RestartPolicy = RestartPolicy.Always, StopTimeout = TimeSpan.FromSeconds(2) });
        await SettleAsync();
        Assert.Equal(IslePhase.Running, _store.GetIsle("stp")?.State);
        string veth = NetworkNames.HostVeth(net, "stp");
        Assert.Contains(veth, _host.Ok("ip -o link show"));

        var verbs = _services.GetRequiredService<IsleVerbs>();
        await verbs.StopAsync("stp", null, Ct);
        Assert.Equal(IslePhase.Stopped, _store.GetIsle("stp")?.State);
        Assert.Equal("10.231.9.10", _store.GetNetwork(net)!.Allocations["stp"]);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (_host.Ok("ip -o link show").Contains(veth, StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            await Task.Delay(50, Ct);
        Assert.DoesNotContain(veth, _host.Ok("ip -o link show"));

        await verbs.StartAsync("stp", Ct);
        await SettleAsync();
        Assert.Equal(IslePhase.Running, _store.GetIsle("stp")?.State);
        Assert.Equal("10.231.9.10", _store.GetIsle("stp")!.Addresses[net]);
        var log = await ClientAsync("stpcli", "ping -c 1 -W 3 stp && echo PING_OK", new NetworkAttachment(net));
        Assert.Contains("PING_OK", log);

        _desired.Delete(ObjectKey.Isle("stp"));
        _desired.Delete(ObjectKey.Isle("stpcli"));
        _desired.Delete(new ObjectKey(ObjectKind.Network, net));
        await SettleAsync();
        await SettleAsync();
        Assert.Empty(_store.Networks());
        Assert.DoesNotContain("isl", _host.Ok("ip -o link show"));
    }

    /// <summary>The many-isles test's network, its isles' count and names (the neighbour "probe" last).</summary>
    const string Net = "scale";
    const int Count = 50;
    static readonly string[] ScaleNames = [.. Enumerable.Range(0, Count).Select(i => $"m{i:00}"), "probe"];

    /// <summary>An isle of the many-isles test; the passes run one by one here: a PID 1 deaf to SIGTERM would cost 50 stop timeouts.</summary>
    static IsleSpec OnScale(string script) => Busybox(script, new NetworkAttachment(Net)) with { StopTimeout = TimeSpan.FromSeconds(2) };

    /// <summary>Sleeps until SIGTERM, which it obeys at once (a shell's PID 1 otherwise ignores it).</summary>
    const string Sleeper = "trap 'exit 0' TERM; sleep 1000 & wait";

    /// <summary>The rules of the table (lines nft -a tags with a handle that declare no table, chain, set or map).</summary>
    int Rules() => _host.Ok("nft -a list table ip islander").Split('\n')
        .Count(l => l.Contains("# handle", StringComparison.Ordinal) && !l.TrimStart().StartsWith("table ", StringComparison.Ordinal)
            && !l.TrimStart().StartsWith("chain ", StringComparison.Ordinal) && !l.TrimStart().StartsWith("map ", StringComparison.Ordinal)
            && !l.TrimStart().StartsWith("set ", StringComparison.Ordinal));

    /// <summary>
    /// Many isles on one network: each gets its own address, a neighbour reaches every one, their published ports are
    /// elements of the ruleset's maps (as many as ports, with a constant number of rules), and deleting them leaves nothing.
    /// </summary>
    [Fact]
    public async Task FiftyIsles_OneNetwork_DistinctAddresses_ReachedByANeighbour_PortsAreMapElements_DeleteLeavesNothing()
    {
        Network(Net, "10.231.8.0/24");
        Isle("m00", OnScale(Sleeper) with { Ports = [new PortMapping(7000, 17200)] });
        await SettleAsync();
        Assert.Equal(IslePhase.Running, _store.GetIsle("m00")?.State);
        int rulesForOne = Rules();

        for (int i = 1; i < Count; i++)
            Isle($"m{i:00}", OnScale(Sleeper) with { Ports = [new PortMapping(7000, 17200 + i)] });
        await SettleAsync();

        var addresses = new Dictionary<string, string>();
        for (int i = 0; i < Count; i++)
        {
            var record = _store.GetIsle($"m{i:00}");
            Assert.Equal(IslePhase.Running, record?.State);
            addresses[$"m{i:00}"] = record!.Addresses[Net];
        }
        Assert.Equal(Count, addresses.Values.Distinct().Count());

        // The ruleset: one element per published port, the same rules as for one port.
        string table = _host.Ok("nft list table ip islander");
        foreach (var (isle, ip) in addresses)
            Assert.Contains($"tcp . {17200 + int.Parse(isle[1..])} comment \"isle {isle}\" : {ip} . 7000", table);
        Assert.Equal(rulesForOne, Rules());

        // A neighbour reaches every one of them at its address, and finds each by name.
        Isle("probe", OnScale($"for ip in {string.Join(' ', addresses.Values)}; do ping -c 1 -W 3 $ip >/dev/null && echo REACHED $ip; done; echo DONE"));
        await SettleAsync();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!_isles.Log("probe").Contains("DONE", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            await Task.Delay(100, Ct);
        string log = _isles.Log("probe");
        foreach (var ip in addresses.Values)
            Assert.Contains($"REACHED {ip}\n", log);
        string hosts = File.ReadAllText(_networking.HostsFileOf("probe"));
        foreach (var (isle, ip) in addresses)
            Assert.Contains($"{ip}\t{isle}", hosts);

        // Deleted: no link, no table, no address, no hosts file.
        foreach (var name in ScaleNames) _desired.Delete(ObjectKey.Isle(name));
        _desired.Delete(new ObjectKey(ObjectKind.Network, Net));
        await SettleAsync();
        await SettleAsync();
        Assert.Empty(_store.Networks());
        Assert.Empty(_store.Isles());
        Assert.DoesNotContain("isl", _host.Ok("ip -o link show"));
        Assert.DoesNotContain("islander", _host.Ok("nft list tables"));
        Assert.All(ScaleNames, n => Assert.False(File.Exists(_networking.HostsFileOf(n)), $"hosts file of {n} left"));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var isle in TwoNetworksNames.Concat(ScaleNames).Concat(["stp", "stpcli"]))
        {
            await _runtime.DeleteAsync(isle, CancellationToken.None);
            _planner.Deleted(isle);
        }
        await _services.DisposeAsync();
        _host.Dispose(); // its bridges and firewall go with the namespace
        await _isles.DisposeAsync();
    }
}
