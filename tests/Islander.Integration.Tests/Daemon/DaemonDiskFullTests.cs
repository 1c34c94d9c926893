using System.Diagnostics;
using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary>
/// The state directory's file system full (a 16 MiB tmpfs mounted there, then filled): islanderd keeps serving and its
/// isles keep running, new work is refused with a 507 that names the directory, no record is lost or half written,
/// and a manifest dropped meanwhile starts by itself once space returns. Before, the first refused write stopped
/// islanderd (a BackgroundService failed) and LiteDB's engine stayed closed.
/// </summary>
[Collection(DaemonAloneCollection.Name)]
public sealed class DaemonDiskFullTests : IAsyncDisposable
{
    readonly DaemonHarness _h;
    bool _mounted;

    public DaemonDiskFullTests()
    {
        HostCaps.RequireRoot();
        _h = new DaemonHarness();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _h.DisposeAsync(); // stops the daemon, unmounts what is under its directory
        }
        finally
        {
            if (_mounted && File.ReadAllText("/proc/self/mountinfo").Contains(" " + _h.StateDir + " ", StringComparison.Ordinal))
                Run("umount", "-l", _h.StateDir);
        }
    }

    [Fact]
    public async Task StateDirectoryFull_DaemonServes_RefusesNewWorkWith507_LosesNothing_RecoversWhenSpaceReturns()
    {
        Directory.CreateDirectory(_h.StateDir);
        Assert.Equal(0, Run("mount", "-t", "tmpfs", "-o", "size=16m,mode=0711", "tmpfs", _h.StateDir));
        _mounted = true;
        await _h.StartDaemonAsync();
        var running = _h.NewName("full");
        _h.WriteManifest("a.yaml", _h.IsleYaml(running, "while true; do echo tick; sleep 0.2; done"));
        int pid = DaemonHarness.Pid(await _h.WaitRunningAsync(running, 15))!.Value;

        var filler = Path.Combine(_h.StateDir, "filler");
        FullFileSystem.Fill(filler);
        var accepted = new List<string>();
        string? refused = null, file = null;
        try
        {
            var pending = _h.NewName("pending");
            _h.WriteManifest("b.yaml", _h.IsleYaml(pending, "exec sleep 1000"));
            // Each refused write makes islanderd reopen its database, which may free a few of the log's blocks: a write
            // can then pass. Whatever was accepted must be there after, whatever was refused absent.
            for (int attempt = 0; attempt < 5 && refused is null; attempt++)
            {
                var name = _h.NewName("apply");
                file = Path.Combine(_h.Dir, $"{name}.yaml");
                File.WriteAllText(file, _h.IsleYaml(name, "exec sleep 1000"));
                using var r = await _h.Http.PostAsync($"{DaemonHarness.Api}/apply", new StringContent(File.ReadAllText(file)), TestContext.Current.CancellationToken);
                var body = await r.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
                if (r.IsSuccessStatusCode) { accepted.Add(name); FullFileSystem.Fill(filler); continue; }
                Assert.True((int)r.StatusCode == 507, body);
                Assert.Contains($"no space left on device under {_h.StateDir}", body);
                refused = name;
            }
            Assert.True(refused is not null, $"every apply passed on a full file system: {string.Join(", ", accepted)}");
            TestContext.Current.TestOutputHelper?.WriteLine($"{accepted.Count} apply(s) passed on the full file system before one was refused");
            var apply = await _h.CtlAsync("apply", "-f", file!);
            if (apply.ExitCode == 0) accepted.Add(refused);
            else Assert.Contains($"isle/{refused} error: no space left on device under {_h.StateDir}", apply.Stdout + apply.Stderr);
            using (var r = await _h.Http.GetAsync("/readyz", TestContext.Current.CancellationToken))
            {
                var ready = await r.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
                Assert.True(r.IsSuccessStatusCode || ready.Contains("no space left on device"), $"readyz: {ready}");
            }

            await Task.Delay(1500, TestContext.Current.CancellationToken); // several scans of the manifests meanwhile
            Assert.False(_h.Daemon!.HasExited, _h.DaemonOutput);
            var get = await _h.CtlAsync("get", "isles");
            Assert.True(get.ExitCode == 0, get.ToString());
            Assert.Contains(running, get.Stdout);
            Assert.Equal(pid, DaemonHarness.Pid((await _h.GetIsleAsync(running))!));
            Assert.True(DaemonHarness.ProcessExists(pid));
            Assert.Contains($"State database {_h.StateDir}/islander.db: a write was refused", _h.DaemonOutput);

            int ticks = Ticks(running);
            File.Delete(filler);
            var sw = Stopwatch.StartNew();
            await _h.WaitRunningAsync(pending, 15); // by itself, no restart
            TestContext.Current.TestOutputHelper?.WriteLine($"the pending isle ran {sw.Elapsed.TotalSeconds:0.00} s after space returned");
            if (!accepted.Contains(refused)) Assert.Null(await _h.GetIsleAsync(refused)); // refused is absent, not half there
            await DaemonLifecycleTests.WaitForAsync(() => Ticks(running) > ticks + 3, "the running isle's log to go on", seconds: 10);
            var again = await _h.CtlAsync("apply", "-f", file!);
            Assert.True(again.ExitCode == 0, again.ToString());
            await _h.WaitRunningAsync(refused, 15);
        }
        finally
        {
            File.Delete(filler);
        }

        // Every record is on disk: a restart reads them back, and adopts the isle that ran through it all.
        await _h.StopDaemonAsync();
        await _h.StartDaemonAsync();
        Assert.Equal(pid, DaemonHarness.Pid(await _h.WaitRunningAsync(running, 15)));
        var names = (await _h.ListIslesAsync()).Select(i => (string?)i["metadata"]?["name"]).ToList();
        Assert.True(accepted.All(names.Contains), $"accepted while full: {string.Join(", ", accepted)}; after a restart: {string.Join(", ", names)}");
        Assert.Equal(3 + accepted.Count(a => a != refused!), names.Count);
        Assert.DoesNotContain("is damaged", _h.DaemonOutput);
    }

    /// <summary>The lines the isle logged (its shim drops what a full disk refuses, and goes on).</summary>
    int Ticks(string isle) => _h.Log(isle).Split('\n').Count(l => l == "tick");

    static int Run(string file, params string[] args)
    {
        using var p = Process.Start(file, args)!;
        p.WaitForExit();
        return p.ExitCode;
    }
}
