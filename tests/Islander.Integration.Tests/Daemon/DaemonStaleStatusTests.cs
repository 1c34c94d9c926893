using System.Diagnostics;
using System.Text.Json.Nodes;
using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary>
/// What the API says between islanderd's start and the first reconcile pass of each isle, when isles died while it was
/// down: never Running (or Paused) with the pid of a process that is gone. One worker and several isles keep most isles
/// waiting for their pass long after the socket answers, so a stale view shows on every run, not one in two.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class DaemonStaleStatusTests : IAsyncDisposable
{
    const int Isles = 6;
    readonly DaemonHarness _h;

    public DaemonStaleStatusTests()
    {
        HostCaps.RequireRoot();
        _h = new DaemonHarness();
    }

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    [Fact]
    public async Task Reboot_NoIsleShowsItsDeadPid_FromTheFirstAnswer()
    {
        var before = await StartIslesAsync();

        // The power goes: the daemon, every shim and isle, their cgroups and mounts; then /run is a fresh tmpfs.
        await _h.StopDaemonAsync(kill: true);
        foreach (var n in before.Keys) DaemonRebootTests.KillIsle(n);
        foreach (var mount in File.ReadAllLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4]).Where(m => m.StartsWith(_h.Dir + "/", StringComparison.Ordinal)).Reverse())
            DaemonRebootTests.Run("umount", "-l", mount);
        DaemonRebootTests.Run("rm", "-rf", "--one-file-system", _h.RunDir);

        await _h.StartDaemonAsync("--workers", "1");
        await WatchUntilRestartedAsync(before);
    }

    [Fact]
    public async Task DaemonKilled_IsleInitKilledMeanwhile_NoIsleShowsItsDeadPid()
    {
        var before = await StartIslesAsync();

        // islanderd crashes; while it is down every isle's PID 1 is killed (its shim stays to write the exit status).
        await _h.StopDaemonAsync(kill: true);
        foreach (var pid in before.Values) _ = Tmds.Linux.LibC.kill(pid, Tmds.Linux.LibC.SIGKILL);
        var sw = Stopwatch.StartNew();
        while (before.Values.Any(DaemonHarness.ProcessExists))
        {
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), "the isles' inits did not end within 10 s of SIGKILL");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        await _h.StartDaemonAsync("--workers", "1");
        await WatchUntilRestartedAsync(before);
    }

    async Task<Dictionary<string, int>> StartIslesAsync()
    {
        await _h.StartDaemonAsync("--workers", "1");
        var names = Enumerable.Range(0, Isles).Select(_ => _h.NewName("stale")).ToList();
        foreach (var n in names) _h.WriteManifest(n + ".yaml", _h.IsleYaml(n, "exec sleep 1000"));
        var before = new Dictionary<string, int>();
        foreach (var n in names) before[n] = DaemonHarness.Pid(await _h.WaitRunningAsync(n, 60))!.Value;
        return before;
    }

    /// <summary>
    /// Lists the isles from the first answer of the new islanderd until each runs again with a new pid: in no answer is
    /// an isle Running or Paused with its old pid, and every pid shown as running is a live process.
    /// </summary>
    async Task WatchUntilRestartedAsync(Dictionary<string, int> before)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            var items = (await _h.ListIslesAsync()).Where(i => before.ContainsKey(Name(i))).ToList();
            foreach (var isle in items)
            {
                var (name, phase, pid) = (Name(isle), DaemonHarness.Phase(isle), DaemonHarness.Pid(isle));
                if (phase is not ("Running" or "Paused")) continue;
                Assert.False(pid == before[name], $"isle {name} shown {phase} with pid {pid}, which died while islanderd was down: {isle.ToJsonString()}");
                Assert.True(pid is int p && DaemonHarness.ProcessExists(p), $"isle {name} shown {phase} with pid {pid}, which is not a live process: {isle.ToJsonString()}");
            }
            if (items.Count == before.Count && items.All(i => DaemonHarness.Phase(i) == "Running" && DaemonHarness.Pid(i) != before[Name(i)]))
                return;
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(60), $"not every isle Running again with a new pid within 60 s:\n{string.Join("\n", items.Select(i => i.ToJsonString()))}\n--- islanderd:\n{_h.DaemonOutput}");
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }

    static string Name(JsonObject isle) => (string)isle["metadata"]!["name"]!;
}
