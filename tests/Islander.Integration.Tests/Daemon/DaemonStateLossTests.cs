using System.Diagnostics;
using System.Text.Json.Nodes;
using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary>
/// The kernel is the truth: a process in an isle's cgroup is the isle running, whatever the run directory, the state
/// database or the manifests directory say; nothing is started while an old copy may live.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class DaemonStateLossTests : IAsyncDisposable
{
    readonly DaemonHarness _h;

    public DaemonStateLossTests()
    {
        HostCaps.RequireRoot();
        _h = new DaemonHarness();
    }

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    [Fact]
    public async Task RunDirectoryWiped_IsleKeepsItsPid_NoSecondCopy_ExecStillWorks_AndItsExitIsRecorded()
    {
        await _h.StartDaemonAsync("--resync", "0.5");
        var name = _h.NewName("wipe");
        _h.WriteManifest("a.yaml", _h.IsleYaml(name, "exec sleep 1000", restartPolicy: "Never"));
        int pid = DaemonHarness.Pid(await _h.WaitRunningAsync(name))!.Value;

        // A reboot-less /run cleanup: every file of the run directory goes (mounts are not descended into). The daemon
        // may rewrite the process file before rm returns (resync every 0.5 s), so the wipe shows by a file of the
        // test's that nobody writes again, not by the process file being absent for a moment.
        var processFile = Path.Combine(_h.RunDir, "isles", name, "process");
        var marker = Path.Combine(_h.RunDir, "isles", name, "wiped-by-the-test");
        File.WriteAllText(marker, "");
        Run("rm", "-rf", "--one-file-system", _h.RunDir);
        Assert.False(File.Exists(marker));
        await Task.Delay(2000, TestContext.Current.CancellationToken); // several resyncs

        var isle = (await _h.GetIsleAsync(name))!;
        Assert.Equal("Running", DaemonHarness.Phase(isle));
        Assert.Equal(pid, DaemonHarness.Pid(isle));
        Assert.Equal([pid], Inits(name));
        Assert.DoesNotContain("ended", _h.DaemonOutput);
        Assert.Contains($"adopted init {pid}", _h.DaemonOutput);
        Assert.True(File.Exists(processFile), "the process file was not rewritten");
        var exec = await _h.CtlAsync("exec", name, "--", "echo", "inside");
        Assert.True(exec.ExitCode == 0 && exec.Stdout.Contains("inside"), exec.ToString());

        // The shim still records how it ended, in the recreated directory: a kill, not a lost isle.
        Assert.Equal(0, Tmds.Linux.LibC.kill(pid, Tmds.Linux.LibC.SIGKILL));
        var ended = await _h.WaitIsleAsync(name, i => DaemonHarness.Phase(i) == "Failed", TimeSpan.FromSeconds(10), "Failed");
        Assert.Equal(9, (int?)ended["status"]?["exitSignal"]);
    }

    [Fact]
    public async Task DaemonSigkilledAtRandomPointsOfRecreates_EveryTimeExactlyOneInit()
    {
        await _h.StartDaemonAsync();
        var name = _h.NewName("recreate");
        var random = new Random(8);
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < 20 && sw.Elapsed < TimeSpan.FromMinutes(3); i++)
        {
            // sleep as PID 1 ignores SIGTERM: each recreate waits its stop timeout (1 s), then SIGKILL, then starts anew.
            _h.WriteManifest("a.yaml", _h.IsleYaml(name, $"exec sleep {1000 + i}"));
            if (i % 2 == 0 || i == 1)
                await KillDaemonWhileAnInitIsSetUpAsync(name); // the worst point: launched, not yet recorded
            else
                await Task.Delay(random.Next(0, 1600), TestContext.Current.CancellationToken);
            await _h.StopDaemonAsync(kill: true);
            await _h.StartDaemonAsync();
            await _h.WaitIsleAsync(name, x => DaemonHarness.Phase(x) == "Running" && Cmdline(DaemonHarness.Pid(x) ?? 0) == $"sleep {1000 + i}",
                TimeSpan.FromSeconds(15), $"Running iteration {i}'s spec");
            await Task.Delay(300, TestContext.Current.CancellationToken);
            var inits = Inits(name);
            Assert.True(inits.Count == 1 && CgroupProcs(name).Count == 1,
                $"iteration {i}: inits {string.Join(", ", inits)}, cgroup {string.Join(", ", CgroupProcs(name))}, shims {Shims(name)}\n{_h.DaemonOutput}");
            Assert.Equal(1, Shims(name));
        }
    }

    [Fact]
    public async Task ManifestsDirectoryRenamedAway_NothingIsPruned_StatusAndEventsSaySo_BackAgain_Resumes()
    {
        await _h.StartDaemonAsync("--resync", "0.5");
        var a = _h.NewName("keep");
        var b = _h.NewName("keep");
        _h.WriteManifest("a.yaml", _h.IsleYaml(a, "exec sleep 1000"));
        _h.WriteManifest("b.yaml", _h.IsleYaml(b, "exec sleep 1000"));
        int pidA = DaemonHarness.Pid(await _h.WaitRunningAsync(a))!.Value;
        int pidB = DaemonHarness.Pid(await _h.WaitRunningAsync(b))!.Value;

        Directory.Move(_h.ManifestsDir, _h.ManifestsDir + ".away");
        try
        {
            await Task.Delay(2000, TestContext.Current.CancellationToken); // past several resyncs
            Assert.Equal(pidA, DaemonHarness.Pid((await _h.GetIsleAsync(a))!));
            Assert.Equal(pidB, DaemonHarness.Pid((await _h.GetIsleAsync(b))!));
            Assert.True(DaemonHarness.ProcessExists(pidA) && DaemonHarness.ProcessExists(pidB));
            var get = await _h.CtlAsync("get", "isles", "-o", "wide");
            Assert.Contains("ManifestsUnavailable", get.Stdout);
            Assert.Contains($"manifests directory {_h.ManifestsDir} is missing", get.Stdout);
            Assert.Contains(await _h.EventsAsync(), e => (string?)e["name"] == a && (string?)e["reason"] == "ManifestsUnavailable");
            Assert.Contains($"manifests directory {_h.ManifestsDir} is missing", _h.DaemonOutput);
        }
        finally
        {
            Directory.Move(_h.ManifestsDir + ".away", _h.ManifestsDir);
        }
        _h.RemoveManifest("b.yaml"); // removed while away: pruned now that the directory is back
        await _h.WaitIsleAsync(a, i => i["status"]?["reason"] is null, TimeSpan.FromSeconds(30), "without a reason");
        await DaemonLifecycleTests.WaitForAsync(() => !DaemonHarness.ProcessExists(pidB), "b to be pruned", seconds: 10);
        Assert.Equal(pidA, DaemonHarness.Pid((await _h.GetIsleAsync(a))!));
    }

    [Fact]
    public async Task PruneOfTwelveIslesIgnoringSigterm_TakesLessThanTwoStopTimeouts()
    {
        await _h.StartDaemonAsync();
        var names = Enumerable.Range(0, 12).Select(_ => _h.NewName("prune")).ToList();
        foreach (var n in names)
            _h.WriteManifest($"{n}.yaml", _h.IsleYaml(n, "trap '' TERM; sleep 1000").Replace("stopTimeout: 1s", "stopTimeout: 2s"));
        var pids = new List<int>();
        foreach (var n in names) pids.Add(DaemonHarness.Pid(await _h.WaitRunningAsync(n, 15))!.Value);

        var sw = Stopwatch.StartNew();
        foreach (var n in names) _h.RemoveManifest($"{n}.yaml");
        await DaemonLifecycleTests.WaitForAsync(() => pids.All(p => !DaemonHarness.ProcessExists(p)), "all 12 isles to be stopped", seconds: 20);
        sw.Stop();
        TestContext.Current.TestOutputHelper?.WriteLine($"12 isles ignoring SIGTERM (stop timeout 2 s) stopped in {sw.Elapsed.TotalSeconds:0.0} s");
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(4), $"12 isles took {sw.Elapsed.TotalSeconds:0.0} s to stop (stop timeout 2 s)");
    }

    [Fact]
    public async Task StateDatabaseDeleted_AdoptedIslesKeepTheirAddresses_ANewIsleGetsAnotherOne_ThePortStillReachesItsIsle()
    {
        using var host = Network.TestNetns.Create();
        host.Ok("ip link set lo up"); // as on a real host: the published port is tried on 127.0.0.1
        _h.NetnsPid = host.Pid;
        await _h.StartDaemonAsync();
        // Started second, sorted first: a daemon that hands addresses out again in name order gives ipa ipb's address.
        var b = _h.NewName("ipb");
        var a = _h.NewName("ipa");
        var c = _h.NewName("ipc");
        const string net = "stateloss";
        _h.WriteManifest("net.yaml", $"apiVersion: islander.io/v1\nkind: Network\nmetadata: {{name: {net}}}\nspec: {{subnet: 10.233.7.0/24}}\n");
        string Server(string name, int port) => _h.IsleYaml(name, $"while true; do echo from-{name} | nc -l -p 80; done",
            extraSpec: $"  networks: [{{name: {net}}}]\n  ports: [{{containerPort: 80, hostPort: {port}}}]\n");
        _h.WriteManifest("b.yaml", Server(b, 18092));
        await _h.WaitRunningAsync(b, 15);
        _h.WriteManifest("a.yaml", Server(a, 18091));
        await _h.WaitRunningAsync(a, 15);
        string Address(JsonObject isle) => (string?)isle["status"]?["addresses"]?[net] ?? "";
        var before = new Dictionary<string, (int Pid, string Ip)>();
        foreach (var n in new[] { a, b })
        {
            var isle = (await _h.GetIsleAsync(n))!;
            before[n] = (DaemonHarness.Pid(isle)!.Value, Address(isle));
        }
        Assert.Contains($"from-{a}", Port(host, 18091));

        await _h.StopDaemonAsync();
        File.Delete(Path.Combine(_h.StateDir, "islander.db"));
        await _h.StartDaemonAsync();
        _h.WriteManifest("c.yaml", _h.IsleYaml(c, "exec sleep 1000", extraSpec: $"  networks: [{{name: {net}}}]\n"));
        var third = await _h.WaitRunningAsync(c, 15);

        foreach (var n in new[] { a, b })
        {
            var isle = await _h.WaitRunningAsync(n, 15);
            Assert.Equal(before[n], (DaemonHarness.Pid(isle)!.Value, Address(isle)));
        }
        Assert.DoesNotContain(Address(third), before.Values.Select(v => v.Ip));
        Assert.Contains($"from-{a}", Port(host, 18091));
        Assert.Contains($"from-{b}", Port(host, 18092));
        var hosts = File.ReadAllText(Path.Combine(_h.RunDir, "networks", "hosts", c));
        Assert.Contains($"{before[a].Ip}\t{a}", hosts);
        Assert.Contains($"{before[b].Ip}\t{b}", hosts);
        var reached = await _h.CtlAsync("exec", c, "--", "nc", a, "80");
        Assert.Contains($"from-{a}", reached.Stdout);
        Assert.Contains(await _h.EventsAsync(), e => (string?)e["reason"] == "AddressesRebuilt");
        Assert.Contains("addresses rebuilt from the running isles' namespaces", _h.DaemonOutput);
    }

    /// <summary>What the published port answers on the host's 127.0.0.1 (in the daemon's namespace).</summary>
    static string Port(Network.TestNetns host, int port) =>
        host.Run($"bash -c 'exec 3<>/dev/tcp/127.0.0.1/{port}; timeout 5 cat <&3'").Out;

    /// <summary>
    /// SIGKILLs islanderd as soon as a new init of the isle is past SYNC_GO (it names itself islander:go, :mount, :cred
    /// while it sets the isle up, in the isle's cgroup already): launched, its process file not yet written.
    /// </summary>
    async Task KillDaemonWhileAnInitIsSetUpAsync(string isle)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(4))
        {
            if (CgroupProcs(isle).Any(p => Comm(p) is "islander:go" or "islander:mount" or "islander:cred"))
            {
                _h.Daemon!.Kill();
                return;
            }
            await Task.Yield();
        }
    }

    // ---- the kernel ----

    static List<int> CgroupProcs(string isle) => IsleProcesses.CgroupProcs(isle);
    static List<int> Inits(string isle) => IsleProcesses.Inits(isle);
    static int Shims(string isle) => IsleProcesses.Shims(isle);
    static string Comm(int pid) => IsleProcesses.Comm(pid);

    static string Cmdline(int pid) => pid == 0 ? "" : DaemonLifecycleTests.Cmdline(pid);

    static void Run(string file, params string[] args)
    {
        using var p = Process.Start(file, args)!;
        p.WaitForExit();
    }
}
