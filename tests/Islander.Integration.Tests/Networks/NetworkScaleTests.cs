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
/// Many isles on one network, through the controller as islanderd composes it over the real runtime and bridge driver
/// (bridges and the nftables table in a throwaway "host" namespace): each gets its own address, a neighbour reaches
/// every one, their published ports are elements of the ruleset's maps (as many as ports, with a constant number of
/// rules), and deleting them leaves nothing.
/// </summary>
[Collection(IsleCollection.Name)]
public sealed class NetworkScaleTests : IAsyncDisposable
{
    const int Count = 50;
    const string Net = "scale";

    readonly IsleHarness _isles = new();
    readonly TestNetns _host = TestNetns.Create();
    readonly ServiceProvider _services;
    readonly StateStore _store;
    readonly DesiredStore _desired;
    readonly ReconcileLoop _loop;
    readonly IsleRuntimeAdapter _runtime;
    readonly StartPlanner _planner;
    readonly IsleNetworking _networking;
    readonly List<string> _names = [.. Enumerable.Range(0, Count).Select(i => $"m{i:00}"), "probe"];

    public NetworkScaleTests()
    {
        HostCaps.RequireRoot();
        _host.Ok("ip link set lo up");
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

    static IsleSpec Busybox(string script) => new()
    {
        Rootfs = TestRootfs.Busybox, Command = ["/bin/sh", "-c", script], Networks = [new NetworkAttachment(Net)], RestartPolicy = RestartPolicy.Never,
        StopTimeout = TimeSpan.FromSeconds(2), // the passes run one by one here: a PID 1 deaf to SIGTERM would cost 50 timeouts
    };

    /// <summary>Sleeps until SIGTERM, which it obeys at once (a shell's PID 1 otherwise ignores it).</summary>
    const string Sleeper = "trap 'exit 0' TERM; sleep 1000 & wait";

    async Task SettleAsync()
    {
        for (int quiet = 0; quiet < 3;)
        {
            quiet = await _loop.ProcessReadyAsync(Ct) > 0 ? 0 : quiet + 1;
            await Task.Delay(20, Ct);
        }
    }

    /// <summary>The rules of the table (lines nft -a tags with a handle that declare no table, chain, set or map).</summary>
    int Rules() => _host.Ok("nft -a list table ip islander").Split('\n')
        .Count(l => l.Contains("# handle", StringComparison.Ordinal) && !l.TrimStart().StartsWith("table ", StringComparison.Ordinal)
            && !l.TrimStart().StartsWith("chain ", StringComparison.Ordinal) && !l.TrimStart().StartsWith("map ", StringComparison.Ordinal)
            && !l.TrimStart().StartsWith("set ", StringComparison.Ordinal));

    [Fact]
    public async Task FiftyIsles_OneNetwork_DistinctAddresses_ReachedByANeighbour_PortsAreMapElements_DeleteLeavesNothing()
    {
        _desired.Apply(new DesiredObject(new ObjectKey(ObjectKind.Network, Net), new Dictionary<string, string>(),
            new JsonObject { ["subnet"] = "10.231.8.0/24", ["masquerade"] = false, ["internal"] = false }, null, "test"));
        _desired.Apply(DesiredObject.ForIsle("m00", Busybox(Sleeper) with { Ports = [new PortMapping(7000, 17200)] }, "test"));
        await SettleAsync();
        Assert.Equal(IslePhase.Running, _store.GetIsle("m00")?.State);
        int rulesForOne = Rules();

        for (int i = 1; i < Count; i++)
            _desired.Apply(DesiredObject.ForIsle($"m{i:00}", Busybox(Sleeper) with { Ports = [new PortMapping(7000, 17200 + i)] }, "test"));
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
        _desired.Apply(DesiredObject.ForIsle("probe", Busybox(
            $"for ip in {string.Join(' ', addresses.Values)}; do ping -c 1 -W 3 $ip >/dev/null && echo REACHED $ip; done; echo DONE"), "test"));
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
        foreach (var name in _names) _desired.Delete(ObjectKey.Isle(name));
        _desired.Delete(new ObjectKey(ObjectKind.Network, Net));
        await SettleAsync();
        await SettleAsync();
        Assert.Empty(_store.Networks());
        Assert.Empty(_store.Isles());
        Assert.DoesNotContain("isl", _host.Ok("ip -o link show"));
        Assert.DoesNotContain("islander", _host.Ok("nft list tables"));
        Assert.All(_names, n => Assert.False(File.Exists(_networking.HostsFileOf(n)), $"hosts file of {n} left"));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var isle in _names)
        {
            await _runtime.DeleteAsync(isle, CancellationToken.None);
            _planner.Deleted(isle);
        }
        await _services.DisposeAsync();
        _host.Dispose(); // its bridges and firewall go with the namespace
        await _isles.DisposeAsync();
    }
}
