using System.Diagnostics;
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

        // A reboot-less /run cleanup: every file of the run directory goes (mounts are not descended into).
        Run("rm", "-rf", "--one-file-system", _h.RunDir);
        Assert.False(File.Exists(Path.Combine(_h.RunDir, "isles", name, "process")));
        await Task.Delay(2000, TestContext.Current.CancellationToken); // several resyncs

        var isle = (await _h.GetIsleAsync(name))!;
        Assert.Equal("Running", DaemonHarness.Phase(isle));
        Assert.Equal(pid, DaemonHarness.Pid(isle));
        Assert.Equal([pid], Inits(name));
        Assert.DoesNotContain("ended", _h.DaemonOutput);
        Assert.True(File.Exists(Path.Combine(_h.RunDir, "isles", name, "process")), "the process file was not rewritten");
        var exec = await _h.CtlAsync("exec", name, "--", "echo", "inside");
        Assert.True(exec.ExitCode == 0 && exec.Stdout.Contains("inside"), exec.ToString());

        // The shim still records how it ended, in the recreated directory: a kill, not a lost isle.
        Tmds.Linux.LibC.kill(pid, Tmds.Linux.LibC.SIGKILL);
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
        await _h.WaitIsleAsync(a, i => i["status"]?["reason"] is null, TimeSpan.FromSeconds(5), "without a reason");
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
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(4), $"12 isles took {sw.Elapsed.TotalSeconds:0.0} s to stop (stop timeout 2 s)");
    }

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

    /// <summary>The isle's cgroup's processes (v2, or v1's pids/first hierarchy that has the group).</summary>
    static List<int> CgroupProcs(string isle) =>
        DaemonHarness.CgroupDirs(Path.Combine("islander", isle)).Select(d => Path.Combine(d, "cgroup.procs")).SelectMany(ReadLines)
            .Where(l => l.Length > 0).Select(int.Parse).Distinct().Order().ToList();

    /// <summary>A group being removed answers ENODEV (v1) or is gone: no processes.</summary>
    static string[] ReadLines(string file)
    {
        try { return File.ReadAllLines(file); }
        catch (IOException) { return []; }
    }

    /// <summary>The processes of the isle's cgroup whose parent is an islander:shim: its inits.</summary>
    static List<int> Inits(string isle) => CgroupProcs(isle).Where(p => Comm(ParentOf(p)) == "islander:shim").ToList();

    /// <summary>The islander:shim processes that have a child in the isle's cgroup.</summary>
    static int Shims(string isle) => CgroupProcs(isle).Select(ParentOf).Where(p => Comm(p) == "islander:shim").Distinct().Count();

    static int ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
        }
        catch (IOException) { return 0; }
    }

    static string Comm(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/comm").TrimEnd('\n'); }
        catch (IOException) { return ""; }
    }

    static string Cmdline(int pid) => pid == 0 ? "" : DaemonLifecycleTests.Cmdline(pid);

    static void Run(string file, params string[] args)
    {
        using var p = Process.Start(file, args)!;
        p.WaitForExit();
    }
}
