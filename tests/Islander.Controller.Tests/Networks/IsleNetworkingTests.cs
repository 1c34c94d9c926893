using Islander.Model;
using System.Net;
using Islander.Controller.Lifecycle;
using Islander.Controller.Ports;
using Islander.Drivers.Network;
using Islander.Testing;

namespace Islander.Controller.Tests.Networks;

/// <summary>Networks wired into the controller, over the fake runtime and the fake network driver.</summary>
public sealed class IsleNetworkingTests : IDisposable
{
    readonly ControllerHarness _h = new(network: new FakeNetworkDriver());

    FakeNetworkDriver Driver => _h.NetworkDriver!;

    static string NetworkYaml(string name, string subnet, string extra = "") =>
        $"apiVersion: islander.io/v1\nkind: Network\nmetadata: {{name: {name}}}\nspec: {{subnet: {subnet}{extra}}}\n";

    static string Isle(string name, string networks, string? extra = null, string restart = "Always") =>
        ControllerHarness.IsleYaml(name, restart: restart, extra: $"  networks: {networks}\n{extra ?? ""}");

    string Hosts(string isle) => File.ReadAllText(_h.Networking!.HostsFileOf(isle));

    [Fact]
    public async Task Network_GetsBridgeAndReadyRecord_FirewallKnowsIt()
    {
        _h.Write("net.yaml", NetworkYaml("backend", "10.88.0.0/24"));
        await _h.SyncAsync();

        var bridge = Assert.Contains("backend", Driver.Networks);
        Assert.Equal(IPAddress.Parse("10.88.0.1"), bridge.Gateway);
        var record = _h.Store.GetNetwork("backend")!;
        Assert.True(record.Ready);
        Assert.Equal("islbr-backend", record.Bridge);
        Assert.Contains(Driver.Firewall.Networks, n => n.Name == "backend");
    }

    [Fact]
    public async Task Isles_GetAddresses_StaticHonoured_StatusShowsThem_HostsListEveryone()
    {
        _h.Write("net.yaml", NetworkYaml("backend", "10.88.0.0/24"));
        _h.Write("a.yaml", Isle("a", "[{name: backend}]"));
        _h.Write("b.yaml", Isle("b", "[{name: backend, ip: 10.88.0.50}]"));
        await _h.SyncAsync();

        Assert.Equal(IslePhase.Running, _h.StateOf("a"));
        Assert.Equal("10.88.0.2", _h.Isle("a").Addresses["backend"]);
        Assert.Equal("10.88.0.50", _h.Isle("b").Addresses["backend"]);
        var hostsA = Hosts("a");
        Assert.Contains("10.88.0.2\ta\n", hostsA);
        Assert.Contains("10.88.0.50\tb\n", hostsA);
        Assert.Contains("10.88.0.2\ta\n", Hosts("b")); // b, started after a... or before: refreshed either way

        var spec = _h.Runtime.SpecOf("a")!;
        var mount = Assert.Single(spec.Volumes, v => v.MountPath == "/etc/hosts");
        Assert.Equal(_h.Networking!.HostsFileOf("a"), mount.HostPath);
    }

    /// <summary>
    /// An isle that ended has its veth removed in the background, not in the pass that records the exit: the kernel
    /// takes 10 ms and more for a pair whose namespace it is tearing down. Its delete does not wait for it either: the
    /// isle is gone at once, and its address is released only once no veth of it is left, so no other isle gets an
    /// address that one still has.
    /// </summary>
    [Fact]
    public async Task IsleEnded_ItsVethGoesInTheBackground_TheDeleteReleasesTheAddressOnlyAfterIt()
    {
        _h.Write("net.yaml", NetworkYaml("backend", "10.88.0.0/24"));
        _h.Write("job.yaml", Isle("job", "[{name: backend}]", restart: "Never"));
        _h.Write("web.yaml", Isle("web", "[{name: backend}]"));
        await _h.SyncAsync();
        string address = _h.Isle("job").Addresses["backend"];
        Assert.Contains($"{address}\tjob\n", Hosts("web"));
        using var removing = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        int removals = 0;
        Driver.DetachGate = _ =>
        {
            if (Interlocked.Increment(ref removals) > 1) return; // the delete's own look, once the first removal went
            removing.Set();
            release.Wait(TestContext.Current.CancellationToken);
        };

        _h.Runtime.Exit("job", 0);
        await _h.SettleAsync(networking: false); // the exit's pass ends while the veth is still being removed
        Assert.Equal(IslePhase.Succeeded, _h.StateOf("job"));
        Assert.True(removing.Wait(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken), "the veth's removal did not begin");
        _h.Remove("job.yaml");
        await _h.SyncAsync(networking: false); // the delete ends while the veth is still being removed

        Assert.Null(_h.StateOf("job"));
        Assert.Equal(address, _h.Store.GetNetwork("backend")!.Allocations.GetValueOrDefault("job")); // held while its veth goes
        release.Set();
        await ControllerHarness.EventuallyAsync(() => !_h.Store.GetNetwork("backend")!.Allocations.ContainsKey("job"), "job's address to be released");
        Assert.DoesNotContain("\tjob\n", Hosts("web"));
        await ControllerHarness.EventuallyAsync(() => _h.Networking!.Unplugging == 0, "nothing of job to be held"); // a one-shot's name is not seen again
    }

    /// <summary>A running isle's delete stops it, then leaves its veths to the background as well: the address follows them.</summary>
    [Fact]
    public async Task IsleDeletedWhileRunning_ItsVethGoesInTheBackground_TheAddressAfterIt()
    {
        _h.Write("net.yaml", NetworkYaml("backend", "10.88.0.0/24"));
        _h.Write("web.yaml", Isle("web", "[{name: backend}]"));
        await _h.SyncAsync();
        using var release = new ManualResetEventSlim();
        int removals = 0;
        Driver.DetachGate = _ =>
        {
            if (Interlocked.Increment(ref removals) == 1) release.Wait(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken); // bounded: a delete that waits for it ends too
        };

        _h.Remove("web.yaml");
        await _h.SyncAsync(networking: false); // the delete ends while the veth is still being removed

        Assert.Null(_h.StateOf("web"));
        Assert.Equal(IsleProcessState.NotFound, _h.Runtime.Probe("web").State);
        Assert.Contains("web", _h.Store.GetNetwork("backend")!.Allocations.Keys);
        release.Set();
        await ControllerHarness.EventuallyAsync(() => !_h.Store.GetNetwork("backend")!.Allocations.ContainsKey("web"), "web's address to be released");
    }

    /// <summary>A restart after an exit waits for the old veth's removal: the new one has the same name.</summary>
    [Fact]
    public async Task IsleEnded_RestartedAtOnce_TheNewVethIsMadeAfterTheOldOneWent()
    {
        _h.Write("net.yaml", NetworkYaml("backend", "10.88.0.0/24"));
        _h.Write("web.yaml", Isle("web", "[{name: backend}]"));
        await _h.SyncAsync();
        int started = _h.Runtime.Incarnations("web");
        var removals = new List<string>();
        Driver.DetachGate = _ =>
        {
            Thread.Sleep(100); // a removal the kernel makes wait: a restart that did not wait for it starts meanwhile
            lock (removals) removals.Add(_h.Runtime.Incarnations("web") == started ? "before the restart" : "after the restart");
        };

        _h.Runtime.Exit("web", 1);
        await _h.SettleAsync(); // restarted at once (the first restart has no delay)

        Assert.Equal(IslePhase.Running, _h.StateOf("web"));
        Assert.Equal(started + 1, _h.Runtime.Incarnations("web"));
        lock (removals) Assert.Equal(["before the restart"], removals);
    }

    [Fact]
    public async Task IsleDeleted_OthersKeepRunning_HostsFilesForgetIt_TheNetworkIsNotEnsuredAgain()
    {
        _h.Write("net.yaml", NetworkYaml("backend", "10.88.0.0/24"));
        foreach (var name in new[] { "a", "b", "c" }) _h.Write($"{name}.yaml", Isle(name, "[{name: backend}]"));
        await _h.SyncAsync();
        Assert.Contains("\tc\n", Hosts("a"));

        int ensured = 0;
        Driver.EnsureGate = _ => ensured++;
        _h.Remove("c.yaml");
        await _h.SyncAsync();

        Assert.Equal([IslePhase.Running, IslePhase.Running], new[] { _h.StateOf("a"), _h.StateOf("b") });
        Assert.DoesNotContain("\tc\n", Hosts("a"));
        Assert.DoesNotContain("\tc\n", Hosts("b"));
        Assert.DoesNotContain("c", _h.Store.GetNetwork("backend")!.Allocations.Keys);
        Assert.Equal(0, ensured); // c's release made no pass of the network: its bridge is not ensured again
    }

    [Fact]
    public async Task IsleWithoutPorts_StartAndDelete_AskTheKernelNothingAboutTheFirewall_APortIsPublishedAtOnce()
    {
        _h.Write("net.yaml", NetworkYaml("backend", "10.88.0.0/24"));
        _h.Write("a.yaml", Isle("a", "[{name: backend}]"));
        await _h.SyncAsync();
        int verified = Driver.VerifiedSyncs;
        Assert.True(verified > 0); // the network's pass checks the table with the kernel

        _h.Write("b.yaml", Isle("b", "[{name: backend}]"));
        await _h.SyncAsync();
        Assert.Equal(IslePhase.Running, _h.StateOf("b"));
        _h.Remove("b.yaml");
        await _h.SyncAsync();
        Assert.Null(_h.Store.GetIsle("b"));
        Assert.Equal(verified, Driver.VerifiedSyncs); // b's start and delete: no generation read

        _h.Write("web.yaml", Isle("web", "[{name: backend}]", "  ports: [{containerPort: 80, hostPort: 18080}]\n"));
        await _h.SyncAsync();
        var port = Assert.Single(Driver.Firewall.Ports);
        Assert.Equal(("web", 18080), (port.Isle, port.HostPort));
    }

    [Fact]
    public async Task StartPlan_AttachmentsInSpecOrder_DefaultRouteOnFirstOnly()
    {
        _h.Write("net.yaml", NetworkYaml("front", "10.88.1.0/24") + "---\n" + NetworkYaml("back", "10.88.2.0/24"));
        _h.Write("a.yaml", Isle("a", "[{name: front}, {name: back}]"));
        await _h.SyncAsync();

        var plan = _h.Runtime.PlanOf("a")!;
        var (front, back) = (plan.Networks[0], plan.Networks[1]);
        Assert.Equal(("front", "eth0", true, "10.88.1.2"), (front.Network.Name, front.IfName, front.DefaultRoute, front.Ip.ToString()));
        Assert.Equal(("back", "eth1", false, "10.88.2.2"), (back.Network.Name, back.IfName, back.DefaultRoute, back.Ip.ToString()));
        Assert.Equal(plan.Spec, _h.Runtime.SpecOf("a")); // the spec as started: with the hosts file at /etc/hosts
        Assert.Contains(plan.Spec.Volumes, v => v.MountPath == "/etc/hosts" && v.HostPath == _h.Networking.HostsFileOf("a"));
    }

    [Fact]
    public async Task DaemonRestart_AllocationsKept_NoDuplicate()
    {
        _h.Write("net.yaml", NetworkYaml("backend", "10.88.0.0/24"));
        _h.Write("a.yaml", Isle("a", "[{name: backend}]"));
        await _h.SyncAsync();
        Assert.Equal("10.88.0.2", _h.Isle("a").Addresses["backend"]);

        _h.Restart();
        _h.Write("b.yaml", Isle("b", "[{name: backend}]"));
        await _h.SyncAsync();

        Assert.Equal("10.88.0.2", _h.Isle("a").Addresses["backend"]);
        Assert.Equal("10.88.0.3", _h.Isle("b").Addresses["backend"]);
        Assert.Equal(1, _h.Runtime.Incarnations("a")); // adopted, not restarted
    }

    [Fact]
    public async Task IsleDeleted_AddressReleased_OthersHostsRewrittenInPlace()
    {
        _h.Write("net.yaml", NetworkYaml("backend", "10.88.0.0/24"));
        _h.Write("a.yaml", Isle("a", "[{name: backend}]"));
        _h.Write("b.yaml", Isle("b", "[{name: backend}]"));
        await _h.SyncAsync();
        // The isle's bind mount holds the inode: a reader opened before the change must see the new content.
        using var seenByIsle = new FileStream(_h.Networking!.HostsFileOf("a"), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        Assert.Contains("\tb\n", Hosts("a"));

        _h.Remove("b.yaml");
        await _h.SyncAsync();

        Assert.DoesNotContain("b", _h.Store.GetNetwork("backend")!.Allocations.Keys);
        Assert.DoesNotContain("\tb\n", Hosts("a"));
        seenByIsle.Position = 0;
        Assert.Equal(Hosts("a"), new StreamReader(seenByIsle).ReadToEnd());
        Assert.False(File.Exists(_h.Networking.HostsFileOf("b")));

        // The freed address is given out again.
        _h.Write("c.yaml", Isle("c", "[{name: backend}]"));
        await _h.SyncAsync();
        Assert.Equal("10.88.0.3", _h.Isle("c").Addresses["backend"]);
    }

    [Fact]
    public async Task RecreatedWithNewAddress_NameFollows()
    {
        _h.Write("net.yaml", NetworkYaml("backend", "10.88.0.0/24"));
        _h.Write("a.yaml", Isle("a", "[{name: backend}]"));
        _h.Write("b.yaml", Isle("b", "[{name: backend, ip: 10.88.0.10}]"));
        await _h.SyncAsync();
        Assert.Contains("10.88.0.10\tb\n", Hosts("a"));

        _h.Write("b.yaml", Isle("b", "[{name: backend, ip: 10.88.0.20}]"));
        await _h.SyncAsync();

        Assert.Equal(2, _h.Runtime.Incarnations("b"));
        Assert.Contains("10.88.0.20\tb\n", Hosts("a"));
        Assert.DoesNotContain("10.88.0.10", Hosts("a"));
        Assert.Equal("10.88.0.20", _h.Isle("b").Addresses["backend"]);
    }

    [Fact]
    public async Task StaticAddressConflict_IsAnError()
    {
        _h.Write("net.yaml", NetworkYaml("backend", "10.88.0.0/24"));
        _h.Write("a.yaml", Isle("a", "[{name: backend, ip: 10.88.0.7}]"));
        await _h.SyncAsync();
        _h.Write("b.yaml", Isle("b", "[{name: backend, ip: 10.88.0.7}]"));
        await _h.SyncAsync();

        Assert.Equal(IslePhase.Error, _h.StateOf("b"));
        Assert.Contains("10.88.0.7", _h.Isle("b").Message);
        Assert.False(_h.Runtime.IsRunning("b"));
    }

    [Fact]
    public async Task PublishedPorts_OnlyForRunningIsles_EverythingDeleted_FirewallEmpty()
    {
        _h.Write("net.yaml", NetworkYaml("backend", "10.88.0.0/24"));
        _h.Write("web.yaml", Isle("web", "[{name: backend}]", "  ports: [{containerPort: 80, hostPort: 18080}]", restart: "Never"));
        await _h.SyncAsync();

        var port = Assert.Single(Driver.Firewall.Ports);
        Assert.Equal(("web", "10.88.0.2", 80, 18080), (port.Isle, port.IsleIp.ToString(), port.ContainerPort, port.HostPort));

        _h.Runtime.Exit("web", 0);
        await _h.SettleAsync();
        _h.Firewall.Sync(); // any later change (here: by hand) no longer publishes an ended isle's port
        Assert.Equal(IslePhase.Succeeded, _h.StateOf("web"));
        Assert.Empty(Driver.Firewall.Ports);

        _h.Remove("web.yaml");
        _h.Remove("net.yaml");
        await _h.SyncAsync();
        await _h.SyncAsync();

        Assert.Empty(Driver.Networks);
        Assert.Empty(Driver.Attachments);
        Assert.True(Driver.Firewall.IsEmpty);
        Assert.Null(_h.Store.GetNetwork("backend"));
    }

    [Fact]
    public async Task NetworkDeleted_WaitsForItsLastIsle()
    {
        _h.Write("net.yaml", NetworkYaml("backend", "10.88.0.0/24"));
        _h.Write("a.yaml", Isle("a", "[{name: backend}]"));
        await _h.SyncAsync();

        _h.Remove("net.yaml");
        await _h.SyncAsync();
        Assert.Contains("backend", Driver.Networks);
        Assert.Equal("InUse", _h.Store.GetNetwork("backend")!.Reason);
        Assert.Equal(IslePhase.Running, _h.StateOf("a"));

        _h.Remove("a.yaml");
        await _h.SyncAsync();
        Assert.Empty(Driver.Networks);
        Assert.Null(_h.Store.GetNetwork("backend"));
    }

    [Fact]
    public async Task IsleWithoutNetworks_Untouched()
    {
        _h.Write("a.yaml", ControllerHarness.IsleYaml("a"));
        await _h.SyncAsync();

        Assert.Empty(_h.Runtime.SpecOf("a")!.Volumes);
        Assert.Empty(_h.Isle("a").Addresses);
        Assert.True(Driver.Firewall.IsEmpty);
    }

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task StateDatabaseLost_AddressesAreReadBackFromTheRunningIsles_BeforeANewOneIsHandedOut()
    {
        _h.Write("net.yaml", NetworkYaml("backend", "10.88.0.0/24"));
        _h.Write("a.yaml", Isle("a", "[{name: backend}]", "  ports: [{containerPort: 80, hostPort: 18080}]"));
        _h.Write("b.yaml", Isle("b", "[{name: backend}]"));
        await _h.SyncAsync();
        // What the isles' namespaces really hold (the fake runtime attaches nothing): not the order a new daemon would
        // hand addresses out in.
        Driver.ExtraAddresses[NetworkNamespace.OfProcess(_h.Isle("a").Pid!.Value)] = [IPAddress.Parse("10.88.0.3")];
        Driver.ExtraAddresses[NetworkNamespace.OfProcess(_h.Isle("b").Pid!.Value)] = [IPAddress.Parse("10.88.0.2")];
        var pids = (_h.Isle("a").Pid, _h.Isle("b").Pid);

        _h.Restart(loseState: true);
        _h.Write("c.yaml", Isle("c", "[{name: backend}]"));
        await _h.SyncAsync();

        Assert.Equal(pids, (_h.Isle("a").Pid, _h.Isle("b").Pid)); // adopted, not restarted
        Assert.Equal("10.88.0.3", _h.Isle("a").Addresses["backend"]);
        Assert.Equal("10.88.0.2", _h.Isle("b").Addresses["backend"]);
        string[] taken = ["10.88.0.2", "10.88.0.3"];
        Assert.DoesNotContain(_h.Isle("c").Addresses["backend"], taken);
        Assert.Contains("10.88.0.3\ta", Hosts("c"));
        Assert.Equal(IPAddress.Parse("10.88.0.3"), Assert.Single(Driver.Firewall.Ports).IsleIp);
        var rebuilt = Assert.Single(_h.Events.Recent(), e => e.Reason == "AddressesRebuilt");
        Assert.Contains("a has 10.88.0.3", rebuilt.Message);
    }

    /// <summary>
    /// A daemon that died after an isle's delete but before its address was released (the release follows the isle's
    /// veths, in the background): the next daemon drops that address before it hands out one on the network.
    /// </summary>
    [Fact]
    public async Task AddressOfAnIsleThatNoLongerExists_DroppedBeforeANewOneIsHandedOut()
    {
        _h.Write("net.yaml", NetworkYaml("backend", "10.88.0.0/24"));
        _h.Write("a.yaml", Isle("a", "[{name: backend}]"));
        await _h.SyncAsync();
        var record = _h.Store.GetNetwork("backend")!;
        record.Allocations["gone"] = "10.88.0.9"; // an isle with no record and no manifest
        _h.Store.SaveNetwork(record);

        _h.Restart();
        _h.Write("c.yaml", Isle("c", "[{name: backend}]"));
        await _h.SyncAsync();

        Assert.Equal(IslePhase.Running, _h.StateOf("c"));
        Assert.Equal(["a", "c"], _h.Store.GetNetwork("backend")!.Allocations.Keys.Order());
        var rebuilt = Assert.Single(_h.Events.Recent(), e => e.Reason == "AddressesRebuilt");
        Assert.Contains("gone no longer exists and no longer holds 10.88.0.9", rebuilt.Message);
    }
}
