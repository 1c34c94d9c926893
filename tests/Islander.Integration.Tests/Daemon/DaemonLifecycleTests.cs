using System.Diagnostics;
using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary>
/// islanderd as users run it: a real daemon process on temp directories, manifests dropped into its directory,
/// status read over its API and checked against the kernel (pids, namespaces, cgroups, limits).
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class DaemonLifecycleTests : IAsyncDisposable
{
    readonly DaemonHarness _h;

    public DaemonLifecycleTests()
    {
        HostCaps.RequireRoot();
        _h = new DaemonHarness();
    }

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    [Fact]
    public async Task ManifestDropped_IsleRunsInItsOwnUtsNamespaceAndCgroup_WithTheManifestsMemoryLimit()
    {
        await _h.StartDaemonAsync();
        var name = _h.NewName();
        _h.WriteManifest("web.yaml", _h.IsleYaml(name, "hostname; exec sleep 1000", memory: "48Mi"));

        var isle = await _h.WaitRunningAsync(name, seconds: 5);

        int pid = DaemonHarness.Pid(isle)!.Value;
        Assert.True(Directory.Exists($"/proc/{pid}"), $"status pid {pid} is not a process");
        Assert.NotEqual(new FileInfo("/proc/self/ns/uts").LinkTarget, new FileInfo($"/proc/{pid}/ns/uts").LinkTarget);
        var cgroup = await File.ReadAllTextAsync($"/proc/{pid}/cgroup", TestContext.Current.CancellationToken);
        Assert.Contains($"islander/{name}", cgroup);
        Assert.Equal((48L << 20).ToString(), (await File.ReadAllTextAsync(DaemonHarness.MemoryLimitFile(name), TestContext.Current.CancellationToken)).Trim());
        // The isle's own hostname (its name, by default), as its log recorded it.
        await WaitForAsync(() => File.Exists(_h.LogFile(name)) && File.ReadAllText(_h.LogFile(name)).Contains(name), "hostname in the isle's log");
        var logs = await _h.CtlAsync("logs", name);
        Assert.True(logs.ExitCode == 0, logs.ToString());
        Assert.Equal(name, logs.Stdout.Trim());
    }

    [Fact]
    public async Task ManifestEdited_IsleIsRecreatedAsGeneration2_ManifestRemoved_IsleIsPruned()
    {
        await _h.StartDaemonAsync();
        var name = _h.NewName();
        _h.WriteManifest("app.yaml", _h.IsleYaml(name, "exec sleep 1000"));
        var first = await _h.WaitRunningAsync(name);
        int pid1 = DaemonHarness.Pid(first)!.Value;
        Assert.Equal(1, DaemonHarness.Generation(first));

        _h.WriteManifest("app.yaml", _h.IsleYaml(name, "exec sleep 2000"));
        var second = await _h.WaitIsleAsync(name, i => DaemonHarness.Phase(i) == "Running" && DaemonHarness.Pid(i) is { } p && p != pid1 && (long?)i["status"]?["observedGeneration"] == 2,
            TimeSpan.FromSeconds(10), "recreated as generation 2");
        int pid2 = DaemonHarness.Pid(second)!.Value;
        Assert.Equal(2, DaemonHarness.Generation(second));
        Assert.Equal("sleep 2000", Cmdline(pid2));
        await WaitForAsync(() => !DaemonHarness.ProcessExists(pid1), $"old pid {pid1} gone");

        _h.RemoveManifest("app.yaml");
        var sw = Stopwatch.StartNew();
        while (await _h.GetIsleAsync(name) is not null)
        {
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"isle {name} not pruned within 10 s:\n{_h.DaemonOutput}");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
        Assert.False(DaemonHarness.ProcessExists(pid2), $"pid {pid2} still running after prune");
        Assert.Empty(DaemonHarness.CgroupDirs(Path.Combine("islander", name)));
        Assert.DoesNotContain(_h.Dir, await File.ReadAllTextAsync("/proc/self/mountinfo", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task IsleKilled_IsBackRunningWithANewPidWithinOneSecond()
    {
        await _h.StartDaemonAsync(); // default back-off: the first restart is immediate regardless
        var name = _h.NewName();
        _h.WriteManifest("drift.yaml", _h.IsleYaml(name, "exec sleep 1000"));
        int pid1 = DaemonHarness.Pid(await _h.WaitRunningAsync(name))!.Value;

        var sw = Stopwatch.StartNew();
        Assert.Equal(0, Tmds.Linux.LibC.kill(pid1, Tmds.Linux.LibC.SIGKILL));
        var back = await _h.WaitIsleAsync(name, i => DaemonHarness.Phase(i) == "Running" && DaemonHarness.Pid(i) is { } p && p != pid1,
            TimeSpan.FromSeconds(5), "back with a new pid");
        var elapsed = sw.Elapsed;

        int pid2 = DaemonHarness.Pid(back)!.Value;
        Assert.True(elapsed < TimeSpan.FromSeconds(1), $"back after {elapsed.TotalMilliseconds:F0} ms");
        Assert.Equal(1, DaemonHarness.RestartCount(back));
        Assert.True(DaemonHarness.ProcessExists(pid2));
        Assert.Contains($"islander/{name}", await File.ReadAllTextAsync($"/proc/{pid2}/cgroup", TestContext.Current.CancellationToken));
    }

    /// <summary>
    /// Between its init's end and its status file an isle's shim still works: it reaps init, drains the output, then
    /// writes the file. A loaded machine may hold it there, as SIGSTOP does here (init is then a zombie the shim has
    /// not reaped). The passes that probe the isle meanwhile (a resync every 0.5 s) must not take it for one that
    /// vanished without a status: its exit code comes with the shim. It once failed a `run --rm` in a soak of 10,000.
    /// </summary>
    [Fact]
    public async Task InitEnded_ItsShimHeldBeforeTheStatusFile_PassesWaitForIt_TheExitCodeIsRecorded()
    {
        await _h.StartDaemonAsync("--resync", "0.5");
        var name = _h.NewName("ending");
        _h.WriteManifest("ending.yaml", _h.IsleYaml(name, "sleep 1; exit 3", restartPolicy: "Never"));
        int init = DaemonHarness.Pid(await _h.WaitRunningAsync(name))!.Value;
        int shim = IsleProcesses.ParentOf(init);
        Assert.Equal("islander:shim", IsleProcesses.Comm(shim));

        Assert.Equal(0, Tmds.Linux.LibC.kill(shim, Tmds.Linux.LibC.SIGSTOP));
        try
        {
            await WaitForAsync(() => !DaemonHarness.ProcessExists(init), "init ended, unreaped by its stopped shim");
            await Task.Delay(1500, TestContext.Current.CancellationToken); // three resyncs probe it
            var ending = (await _h.GetIsleAsync(name))!;
            Assert.True(DaemonHarness.Phase(ending) == "Running", ending.ToJsonString());
        }
        finally
        {
            Assert.Equal(0, Tmds.Linux.LibC.kill(shim, Tmds.Linux.LibC.SIGCONT));
        }

        var ended = await _h.WaitIsleAsync(name, i => DaemonHarness.Phase(i) is not "Running", TimeSpan.FromSeconds(10), "ended");
        Assert.True(DaemonHarness.Phase(ended) == "Failed" && (int?)ended["status"]?["exitCode"] == 3, ended.ToJsonString());
    }

    [Fact]
    public async Task DaemonKilled_IslesKeepRunning_RestartedDaemonAdoptsThem_AndRecordsTheExitOfOneThatEndedMeanwhile()
    {
        await _h.StartDaemonAsync();
        var keeper = _h.NewName("keep");
        var oneshot = _h.NewName("once");
        _h.WriteManifest("keeper.yaml", _h.IsleYaml(keeper, "while true; do echo tick; sleep 0.1; done"));
        _h.WriteManifest("oneshot.yaml", _h.IsleYaml(oneshot, "sleep 3; exit 3", restartPolicy: "Never"));
        int keeperPid = DaemonHarness.Pid(await _h.WaitRunningAsync(keeper))!.Value;
        int oneshotPid = DaemonHarness.Pid(await _h.WaitRunningAsync(oneshot))!.Value;

        await _h.StopDaemonAsync(kill: true);

        Assert.True(DaemonHarness.ProcessExists(keeperPid), "the isle died with the daemon");
        long size = new FileInfo(_h.LogFile(keeper)).Length;
        await WaitForAsync(() => new FileInfo(_h.LogFile(keeper)).Length > size, "the isle's log grows while the daemon is down");
        await WaitForAsync(() => !DaemonHarness.ProcessExists(oneshotPid), "the one-shot isle ends while the daemon is down", seconds: 10);

        await _h.StartDaemonAsync();

        var failed = await _h.WaitIsleAsync(oneshot, i => DaemonHarness.Phase(i) is "Failed" or "Succeeded", TimeSpan.FromSeconds(10), "finished");
        Assert.Equal("Failed", DaemonHarness.Phase(failed));
        Assert.Equal(3, (int?)failed["status"]?["exitCode"]);
        Assert.Equal(0, DaemonHarness.RestartCount(failed));

        var adopted = await _h.WaitRunningAsync(keeper);
        Assert.Equal(keeperPid, DaemonHarness.Pid(adopted));
        await Task.Delay(1500, TestContext.Current.CancellationToken); // a pass that would restart or duplicate it has run by now
        adopted = (await _h.GetIsleAsync(keeper))!;
        Assert.Equal("Running", DaemonHarness.Phase(adopted));
        Assert.Equal(keeperPid, DaemonHarness.Pid(adopted));
        Assert.Equal(0, DaemonHarness.RestartCount(adopted));
        Assert.True(DaemonHarness.ProcessExists(keeperPid));
        // No second copy: the only process in the isle's cgroup running its loop is the adopted one.
        var procs = File.ReadAllLines(Path.Combine(DaemonHarness.CgroupDirs(Path.Combine("islander", keeper)).First(d => File.Exists(Path.Combine(d, "cgroup.procs"))), "cgroup.procs"));
        Assert.Single(procs.Select(int.Parse), p => Cmdline(p).StartsWith("sh -c", StringComparison.Ordinal));
        var started = (await _h.EventsAsync()).Count(e => (string?)e["name"] == keeper && (string?)e["reason"] == "Started");
        Assert.Equal(1, started);
    }

    [Fact]
    public async Task DaemonStoppedWithSigterm_IslesKeepRunning()
    {
        await _h.StartDaemonAsync();
        var name = _h.NewName();
        _h.WriteManifest("a.yaml", _h.IsleYaml(name, "exec sleep 1000"));
        int pid = DaemonHarness.Pid(await _h.WaitRunningAsync(name))!.Value;

        await _h.StopDaemonAsync();
        Assert.True(DaemonHarness.ProcessExists(pid));

        await _h.StartDaemonAsync();
        var isle = await _h.WaitRunningAsync(name);
        Assert.Equal(pid, DaemonHarness.Pid(isle));
        Assert.Equal(0, DaemonHarness.RestartCount(isle));
    }

    internal static string Cmdline(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/cmdline").TrimEnd('\0').Replace('\0', ' '); }
        catch (IOException) { return ""; }
    }

    internal static async Task WaitForAsync(Func<bool> condition, string what, double seconds = 5)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(seconds), $"not within {seconds} s: {what}");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }
}
