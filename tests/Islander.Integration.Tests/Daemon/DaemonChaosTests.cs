using System.Diagnostics;
using System.Globalization;
using Islander.Integration.Tests.Images;
using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary>
/// islanderd SIGKILLed at random points of real work (starts, deletes, network attaches, image imports and unpacks,
/// volume creates, rollouts), restarted each time, and the whole machine checked after each (<see cref="ChaosInvariants"/>).
/// The short form runs here; bench/chaos.sh runs the same test with more isles and kills (ISLANDER_CHAOS_ISLES,
/// ISLANDER_CHAOS_KILLS, ISLANDER_CHAOS_SEED) and prints the figures it writes to ISLANDER_CHAOS_REPORT.
/// </summary>
[Collection(DaemonAloneCollection.Name)]
public sealed class DaemonChaosTests : IAsyncDisposable
{
    readonly DaemonHarness _h;

    public DaemonChaosTests()
    {
        HostCaps.RequireRoot();
        _h = new DaemonHarness();
    }

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    static int Knob(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : fallback;

    static void Say(string line)
    {
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        if (Environment.GetEnvironmentVariable("ISLANDER_CHAOS_REPORT") is { Length: > 0 } report) File.AppendAllText(report, line + "\n");
    }

    enum Work { Start, Delete, Edit, Attach, Rollout, Volume, Image }

    [Fact]
    public async Task DaemonSigkilledAtRandomPointsOfRealWork_NoDuplicateNoLossNoLeak_UnchangedIslesKeepRunning()
    {
        Tools.RequireRootAndTools("umoci", "nft", "ip", "nsenter");
        int isleCount = Knob("ISLANDER_CHAOS_ISLES", 10), kills = Knob("ISLANDER_CHAOS_KILLS", 6);
        int seed = Knob("ISLANDER_CHAOS_SEED", 13);
        Say($"chaos: seed {seed}, {isleCount} isles, {kills} kills");
        var random = new Random(seed);
        using var host = Network.TestNetns.Create();
        _h.NetnsPid = host.Pid;
        var tarball = Path.Combine(_h.Dir, "busybox-oci.tar");
        Tools.Run("tar", "-C", ImageFixtures.Busybox, "-cf", tarball, ".");

        var world = new ChaosWorld(_h, random);
        var check = new ChaosInvariants(_h, host, world);
        world.WriteNetworks();
        world.AddVolume();
        for (int i = 0; i < isleCount; i++) world.AddIsle();
        await _h.StartDaemonAsync("--restart-backoff", "0.2");
        await WaitConvergedAsync(check, TimeSpan.FromSeconds(30 + isleCount), "the first reconcile");
        Assert.Empty(await check.ViolationsAsync(new Dictionary<string, ChaosInvariants.Run>()));

        var convergence = new List<double>();
        int survived = 0;
        // ISLANDER_CHAOS_KEEP_GOING=1 (the bench): every round runs and each violation is counted once, when first seen.
        bool keepGoing = Knob("ISLANDER_CHAOS_KEEP_GOING", 0) == 1;
        var leaks = new HashSet<string>();
        for (int round = 0; round < kills; round++)
        {
            var before = await check.RunsAsync();
            var touched = new HashSet<string>();
            var work = (Work)random.Next(Enum.GetValues<Work>().Length);
            Task import = Task.CompletedTask;
            var isles = world.Isles.Values.ToList();
            switch (work)
            {
                case Work.Start:
                    for (int i = random.Next(1, 4); i > 0; i--) world.AddIsle();
                    break;
                case Work.Delete:
                    foreach (var isle in isles.OrderBy(_ => random.Next()).Take(random.Next(1, 4)).ToList()) { world.Remove(isle); touched.Add(isle.Name); }
                    break;
                case Work.Edit:
                    foreach (var isle in isles.OrderBy(_ => random.Next()).Take(random.Next(1, 4)).ToList()) { world.Edit(isle); touched.Add(isle.Name); }
                    break;
                case Work.Attach:
                    foreach (var isle in isles.OrderBy(_ => random.Next()).Take(random.Next(1, 3)).ToList()) { world.Reattach(isle); touched.Add(isle.Name); }
                    break;
                case Work.Rollout:
                    var rollouts = isles.Where(i => i.Rollout).ToList();
                    if (rollouts.Count == 0) { world.AddIsle(); break; }
                    foreach (var isle in rollouts.OrderBy(_ => random.Next()).Take(2).ToList()) { world.Edit(isle); touched.Add(isle.Name); }
                    break;
                case Work.Volume:
                    world.AddIsle(volume: world.AddVolume());
                    break;
                case Work.Image:
                    var image = $"chaos-image{round}:1";
                    world.Images.Add(image);
                    // Half the tarball, the rest a moment later: a kill may land in the upload, the import or the unpack.
                    import = ImportAsync(tarball, image, new FileInfo(tarball).Length / 2, Task.Delay(random.Next(0, 1000), TestContext.Current.CancellationToken));
                    world.AddIsle(image: image);
                    break;
            }
            int delay = random.Next(0, 1500);
            bool atSetUp = random.Next(3) == 0;
            await (atSetUp ? KillWhileAnInitIsSetUpAsync(TimeSpan.FromMilliseconds(delay + 1000)) : Task.Delay(delay, TestContext.Current.CancellationToken));
            await _h.StopDaemonAsync(kill: true);
            try { await import; }
            catch (HttpRequestException) { } // cut off by the kill: imported again below
            catch (TaskCanceledException) { }

            var restart = Stopwatch.StartNew();
            await _h.StartDaemonAsync("--restart-backoff", "0.2");
            foreach (var image in world.Images)
                if (!(await _h.Http.GetAsync($"{DaemonHarness.Api}/images/{Uri.EscapeDataString(image)}", TestContext.Current.CancellationToken)).IsSuccessStatusCode)
                    await ImportAsync(tarball, image); // as a user does when the daemon died during their import
            await WaitConvergedAsync(check, TimeSpan.FromSeconds(30 + isleCount), $"round {round} ({work}, killed {(atSetUp ? "while an init was set up" : $"{delay} ms after")})");
            double seconds = restart.Elapsed.TotalSeconds;
            convergence.Add(seconds);
            await Task.Delay(300, TestContext.Current.CancellationToken); // a stray second start would show by now
            var unchanged = before.Where(b => !touched.Contains(b.Key)).ToDictionary();
            var violations = await check.ViolationsAsync(unchanged);
            Say($"round {round}: {work}, killed {(atSetUp ? "while an init was set up" : $"{delay} ms after")}, converged in {seconds:0.00} s, {violations.Count} violations");
            foreach (var v in violations.Where(leaks.Add)) Say("  " + v);
            Assert.True(violations.Count == 0 || keepGoing, $"round {round} ({work}):\n{string.Join("\n", violations)}\n--- islanderd:\n{_h.DaemonOutput}");
            survived++;
        }
        convergence.Sort();
        Say($"kills survived: {survived}/{kills}; leaks found: {leaks.Count}; convergence after restart: median {convergence[convergence.Count / 2]:0.00} s, max {convergence[^1]:0.00} s");
        Assert.Empty(leaks);
        // The goal is 5 s (a figure the bench prints); on a loaded 2-CPU machine 7 s were seen, so only a stuck pass fails this.
        Assert.True(convergence[^1] < 30, $"converged in up to {convergence[^1]:0.00} s after a restart");
    }

    [Fact]
    public async Task DaemonSigkilledDuringAnImageUpload_TheUploadIsRemovedAtRestart_AnIsleOfTheImportedImageRuns()
    {
        Tools.RequireRootAndTools("umoci");
        var tarball = Path.Combine(_h.Dir, "busybox-oci.tar");
        Tools.Run("tar", "-C", ImageFixtures.Busybox, "-cf", tarball, ".");
        await _h.StartDaemonAsync();
        var uploads = Path.Combine(_h.StateDir, "import");

        // Half the tarball, then nothing: the daemon is killed while it receives the body.
        var resume = new TaskCompletionSource();
        var import = ImportAsync(tarball, "chaos-upload:1", stallAfter: new FileInfo(tarball).Length / 2, resume.Task);
        await DaemonLifecycleTests.WaitForAsync(() => Directory.Exists(uploads) && Directory.GetFiles(uploads).Any(f => new FileInfo(f).Length > 0),
            "the upload to reach STATE/import", seconds: 15);
        await _h.StopDaemonAsync(kill: true);
        resume.SetResult();
        await Assert.ThrowsAnyAsync<Exception>(() => import);
        Assert.NotEmpty(Directory.GetFiles(uploads));

        await _h.StartDaemonAsync();
        Assert.Empty(Directory.GetFiles(uploads));
        await ImportAsync(tarball, "chaos-upload:1");
        var name = _h.NewName("chaos");
        _h.WriteManifest("a.yaml", _h.IsleYaml(name, "exec sleep 1000").Replace($"rootfs: {_h.Rootfs}", "image: chaos-upload:1", StringComparison.Ordinal));
        await _h.WaitRunningAsync(name, 15);
        Assert.Empty(Directory.GetFiles(uploads));
    }

    /// <summary>
    /// What a user sees when an isle's PID 1 or its shim is SIGKILLed (an admin's kill -9, the OOM killer): the exit
    /// recorded, restartPolicy honoured, never a second copy, and logs and exec working on the isle that runs after.
    /// </summary>
    [Fact]
    public async Task Pid1OrShimSigkilled_RestartPolicyHonoured_ExitRecorded_NoSecondCopy_LogsAndExecWork()
    {
        await _h.StartDaemonAsync("--restart-backoff", "0.2");
        var always = _h.NewName("chaos");
        var never = _h.NewName("chaos");
        _h.WriteManifest("always.yaml", _h.IsleYaml(always, "echo started; exec sleep 1000"));
        _h.WriteManifest("never.yaml", _h.IsleYaml(never, "echo started; exec sleep 1000", restartPolicy: "Never"));
        int pid = DaemonHarness.Pid(await _h.WaitRunningAsync(always, 15))!.Value;
        int neverPid = DaemonHarness.Pid(await _h.WaitRunningAsync(never, 15))!.Value;

        // PID 1: Always starts it again, Never stays Failed; both say how it ended.
        Assert.Equal(0, Tmds.Linux.LibC.kill(pid, Tmds.Linux.LibC.SIGKILL));
        Assert.Equal(0, Tmds.Linux.LibC.kill(neverPid, Tmds.Linux.LibC.SIGKILL));
        var failed = await _h.WaitIsleAsync(never, i => DaemonHarness.Phase(i) == "Failed", TimeSpan.FromSeconds(10), "Failed");
        Assert.Equal(9, (int?)failed["status"]?["exitSignal"]);
        pid = await RestartedAsync(always, pid, restarts: 1);
        Assert.Contains(await _h.EventsAsync(), e => (string?)e["name"] == always && ((string?)e["message"] ?? "").Contains("killed by signal 9", StringComparison.Ordinal));
        await Task.Delay(1000, TestContext.Current.CancellationToken);
        Assert.Equal("Failed", DaemonHarness.Phase((await _h.GetIsleAsync(never))!));
        Assert.Empty(IsleProcesses.CgroupProcs(never));

        // The shim: the isle ends with it (nobody would log it, record its end or serve attach) and starts anew.
        int shim = IsleProcesses.ParentOf(pid);
        Assert.Equal("islander:shim", IsleProcesses.Comm(shim));
        Assert.Equal(0, Tmds.Linux.LibC.kill(shim, Tmds.Linux.LibC.SIGKILL));
        int old = pid;
        pid = await RestartedAsync(always, pid, restarts: 2);
        Assert.False(DaemonHarness.ProcessExists(old), $"the isle's PID 1 {old} runs on without its shim");
        var events = await _h.EventsAsync();
        Assert.True(events.Any(e => (string?)e["name"] == always && ((string?)e["message"] ?? "").StartsWith("vanished without an exit status; restarting", StringComparison.Ordinal)),
            string.Join("\n", events.Select(e => e.ToJsonString())));

        // The shim killed while islanderd is down: the restarted daemon finds the isle ended and starts it again.
        await _h.StopDaemonAsync(kill: true);
        Assert.Equal(0, Tmds.Linux.LibC.kill(IsleProcesses.ParentOf(pid), Tmds.Linux.LibC.SIGKILL));
        old = pid;
        await _h.StartDaemonAsync("--restart-backoff", "0.2");
        pid = await RestartedAsync(always, pid, restarts: 3);
        Assert.False(DaemonHarness.ProcessExists(old), $"the isle's PID 1 {old} runs on without its shim");
    }

    /// <summary>Waits for the isle to run again under another pid; checks the restart count, one init and one shim, and that logs and exec work.</summary>
    async Task<int> RestartedAsync(string name, int before, int restarts)
    {
        var isle = await _h.WaitIsleAsync(name, i => DaemonHarness.Pid(i) is { } p && p != before && DaemonHarness.Phase(i) == "Running",
            TimeSpan.FromSeconds(15), $"running again after pid {before}");
        int pid = DaemonHarness.Pid(isle)!.Value;
        Assert.Equal(restarts, DaemonHarness.RestartCount(isle));
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.Equal([pid], IsleProcesses.Inits(name));
        Assert.Equal(1, IsleProcesses.Shims(name));
        await DaemonLifecycleTests.WaitForAsync(() => _h.Log(name).Split("started").Length - 1 == restarts + 1, $"{restarts + 1} starts in the log of {name}");
        var exec = await _h.CtlAsync("exec", name, "--", "echo", "inside");
        Assert.True(exec.ExitCode == 0 && exec.Stdout.Contains("inside", StringComparison.Ordinal), exec.ToString());
        var logs = await _h.CtlAsync("logs", name);
        Assert.Equal(restarts + 1, logs.Stdout.Split("started").Length - 1);
        return pid;
    }

    /// <summary>POSTs the tarball to images/import; with <paramref name="stallAfter"/>, sends that many bytes and then waits for <paramref name="resume"/>.</summary>
    async Task ImportAsync(string tarball, string name, long stallAfter = long.MaxValue, Task? resume = null)
    {
        await using var file = File.OpenRead(tarball);
        using var body = new StallingContent(file, stallAfter, resume ?? Task.CompletedTask);
        using var r = await _h.Http.PostAsync($"{DaemonHarness.Api}/images/import?name={Uri.EscapeDataString(name)}", body, TestContext.Current.CancellationToken);
        r.EnsureSuccessStatusCode();
    }

    /// <summary>A request body that sends <c>stallAfter</c> bytes of the stream, then waits for <c>resume</c>, then the rest.</summary>
    sealed class StallingContent(Stream source, long stallAfter, Task resume) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            var buffer = new byte[64 * 1024];
            long sent = 0;
            int n;
            while ((n = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, Math.Max(1, stallAfter - sent))))) > 0)
            {
                await stream.WriteAsync(buffer.AsMemory(0, n));
                sent += n;
                if (sent == stallAfter)
                {
                    await stream.FlushAsync();
                    await resume;
                }
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = source.Length;
            return true;
        }
    }

    async Task WaitConvergedAsync(ChaosInvariants check, TimeSpan timeout, string what)
    {
        var sw = Stopwatch.StartNew();
        while (!await check.ConvergedAsync())
        {
            if (sw.Elapsed > timeout)
                Assert.Fail($"not converged within {timeout.TotalSeconds} s after {what}:\n{string.Join("\n", await check.ViolationsAsync(new Dictionary<string, ChaosInvariants.Run>()))}\n--- islanderd:\n{_h.DaemonOutput}");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>SIGKILLs islanderd once any isle's new init is past SYNC_GO (launched, not recorded), or at the deadline.</summary>
    async Task KillWhileAnInitIsSetUpAsync(TimeSpan deadline)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < deadline)
        {
            foreach (var dir in DaemonHarness.CgroupDirs("islander").SelectMany(d => Directory.GetDirectories(d)))
                if (IsleProcesses.CgroupProcs(Path.GetFileName(dir)).Any(p => IsleProcesses.Comm(p) is "islander:go" or "islander:mount" or "islander:cred"))
                {
                    _h.Daemon!.Kill();
                    return;
                }
            await Task.Yield();
        }
    }
}
