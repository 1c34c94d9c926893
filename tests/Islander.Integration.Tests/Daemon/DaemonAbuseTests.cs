using System.Diagnostics;
using System.Globalization;
using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary>
/// Abuse from inside an isle, each for a few seconds against a real islanderd: a fork bomb, a memory bomb, a disk filler
/// on a volume and on the rootfs, a flood of log output, 10 000 open sockets, a busy loop on every CPU. What a user must
/// see: the bomb is held (or killed, with the reason) by its isle's limits, the API answers every request meanwhile, a
/// neighbour isle keeps running and gets its CPU share, islanderd's memory stays bounded, and deleting the bomb leaves
/// nothing behind. The bounds are generous (a loaded CI machine); bench/abuse.sh runs each longer and prints the figures.
/// Every bomb's cgroup is killed in a finally, whatever the test saw.
/// </summary>
[Collection(DaemonAloneCollection.Name)]
public sealed class DaemonAbuseTests : IAsyncDisposable
{
    /// <summary>Any API answer slower than this during an abuse is a defect, not load (the goal is 100 ms median).</summary>
    static readonly TimeSpan ApiBound = TimeSpan.FromSeconds(5);

    readonly DaemonHarness _h;
    readonly List<string> _bombs = [];
    string? _tmpfs;

    public DaemonAbuseTests()
    {
        HostCaps.RequireRoot();
        _h = new DaemonHarness();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var bomb in _bombs)
            KillCgroup(bomb);
        try
        {
            await _h.DisposeAsync();
        }
        finally
        {
            if (_tmpfs is not null && File.ReadAllText("/proc/self/mountinfo").Contains($" {_tmpfs} ", StringComparison.Ordinal))
                Run("umount", "-l", _tmpfs);
        }
    }

    string Bomb(string prefix)
    {
        var name = _h.NewName(prefix);
        _bombs.Add(name);
        return name;
    }

    [Fact]
    public async Task ForkBomb_HeldAtThePidsLimit_ApiAnswers_NeighbourRuns_DeleteLeavesNothing()
    {
        await _h.StartDaemonAsync();
        var (neighbour, neighbourPid) = await StartNeighbourAsync("exec sleep 1000");
        var bomb = Bomb("forkbomb");
        // The classic, in sh: every call forks two more and returns; the isle's pids limit (2048) is what stops it.
        _h.WriteManifest("bomb.yaml", _h.IsleYaml(bomb, "f() { f | f & }; f; exec sleep 1000", restartPolicy: "Never"));
        await _h.WaitRunningAsync(bomb, 10);
        await DaemonLifecycleTests.WaitForAsync(() => PidsLimitHits(bomb) > 0, "the fork bomb reaches its isle's pids limit", 15);
        Assert.Equal("2048", ReadCgroup("pids", bomb, "pids.max"));

        var latencies = await ProbeApiAsync(TimeSpan.FromSeconds(3));
        var ctl = await _h.CtlAsync("get", "isles"); // a new process on the host still starts
        Assert.True(ctl.ExitCode == 0 && ctl.Stdout.Contains(bomb, StringComparison.Ordinal), ctl.ToString());
        Assert.InRange(long.Parse(ReadCgroup("pids", bomb, "pids.current"), CultureInfo.InvariantCulture), 1000, 2048);
        await AssertNeighbourRunsAsync(neighbour, neighbourPid);

        await DeleteAndAssertGoneAsync(bomb, "bomb.yaml", latencies);
    }

    [Fact]
    public async Task MemoryBomb_KilledByItsOwnLimitAsOOMKilled_ApiAnswers_NeighbourRuns()
    {
        await _h.StartDaemonAsync();
        var (neighbour, neighbourPid) = await StartNeighbourAsync("exec sleep 1000");
        var bomb = Bomb("membomb");
        // tail keeps its whole input (no newline in it): it grows until the kernel kills it.
        _h.WriteManifest("bomb.yaml", _h.IsleYaml(bomb, "exec sh -c 'cat /dev/zero | tail'", restartPolicy: "Never", memory: "64Mi"));
        var probe = ProbeApiAsync(TimeSpan.FromSeconds(3));
        var failed = await _h.WaitIsleAsync(bomb, i => DaemonHarness.Phase(i) == "Failed", TimeSpan.FromSeconds(20), "Failed");
        Assert.Equal("OOMKilled", (string?)failed["status"]?["reason"]);
        await AssertNeighbourRunsAsync(neighbour, neighbourPid);
        await DeleteAndAssertGoneAsync(bomb, "bomb.yaml", await probe);
    }

    /// <summary>
    /// An isle with no memory limit is bounded only by the machine: when the machine runs out, the kernel's OOM killer
    /// picks by oom_score (memory, plus oom_score_adj). islanderd runs at -500 (the unit's OOMScoreAdjust) and its shims
    /// keep that (they hold the isles' logs and exit status); an isle's processes get 0, as Docker's do, so the bomb is
    /// the victim, not islanderd or a shim, and the isle does not outrank the host's own processes. Inherited, they would
    /// have the daemon's -500. The daemon here runs at -500 where the host lets a root without CAP_SYS_RESOURCE lower it,
    /// else at +500: either way not 0, and the isle must not inherit it.
    /// </summary>
    [Fact]
    public async Task IsleWithoutMemoryLimit_ItsProcessesAtOomScoreAdjZero_ShimKeepsTheDaemons()
    {
        await _h.StartDaemonAsync();
        int daemonScore = SetOomScoreAdj(_h.Daemon!.Id, -500) ? -500 : 500;
        if (daemonScore == 500)
            Assert.True(SetOomScoreAdj(_h.Daemon.Id, 500), "raising a process's oom_score_adj never needs a capability");
        var name = _h.NewName("oomscore");
        _h.WriteManifest("isle.yaml", _h.IsleYaml(name, "sleep 1000 & exec sleep 1000"));
        int pid = DaemonHarness.Pid(await _h.WaitRunningAsync(name, 10))!.Value;

        Assert.Equal(0, OomScoreAdj(pid));
        int shim = ParentOf(pid);
        Assert.Equal(daemonScore, OomScoreAdj(shim));
        var children = File.ReadAllText($"/proc/{pid}/task/{pid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(children);
        Assert.All(children, c => Assert.Equal(0, OomScoreAdj(int.Parse(c, CultureInfo.InvariantCulture))));
        var exec = await _h.CtlAsync("exec", name, "--", "cat", "/proc/self/oom_score_adj");
        Assert.True(exec.ExitCode == 0, exec.ToString());
        Assert.Equal("0", exec.Stdout.Trim());
    }

    /// <summary>
    /// An isle with no disk limit fills the state filesystem (its writable layer and a dir volume live there): islanderd
    /// answers, and deleting the isle gives the space back. Every write of the state store is refused on a full disk, the
    /// first step of the deletion included (it records the isle's transition); the store's reserve, released at the first
    /// refused write, is the room that step needs (the controller README, "Storage faults"). Without it the deletion
    /// depends on whatever blocks reopening the database happens to give back.
    /// </summary>
    [Fact]
    public async Task DiskFiller_OnAVolumeAndTheRootfs_FillsTheStateFilesystem_DaemonAnswers_DeleteGivesTheSpaceBack()
    {
        // The state directory on a small filesystem of its own, so the filler fills it and not the machine's disk: as
        // /var/lib/islander fills when an isle without resources.disk writes without end (rootfs and dir volumes are there).
        _tmpfs = _h.StateDir;
        Directory.CreateDirectory(_tmpfs);
        Run("mount", "-t", "tmpfs", "-o", "size=96m,mode=0711", "islander-abuse", _tmpfs);
        await _h.StartDaemonAsync();
        var (neighbour, neighbourPid) = await StartNeighbourAsync("exec sleep 1000");
        var bomb = Bomb("filler");
        _h.WriteManifest("vol.yaml", "apiVersion: islander.io/v1\nkind: Volume\nmetadata: {name: fill}\nspec: {driver: dir, reclaimPolicy: Delete}\n");
        _h.WriteManifest("bomb.yaml", _h.IsleYaml(bomb, "dd if=/dev/zero of=/data/fill bs=1M count=40; dd if=/dev/zero of=/fill bs=1M; exec sleep 1000",
            restartPolicy: "Never", extraSpec: "  volumes: [{name: fill, mountPath: /data}]\n"));
        await DaemonLifecycleTests.WaitForAsync(() => FreeBytes(_tmpfs) < (1 << 20), "the filler fills the state filesystem", 20);
        Assert.True(new FileInfo(Path.Combine(_h.StateDir, "volumes", "dir", "fill", "fill")).Length >= 40 << 20, "the volume holds the first 40 MiB");

        var latencies = await ProbeApiAsync(TimeSpan.FromSeconds(2));
        Assert.True(DaemonHarness.Phase((await _h.GetIsleAsync(bomb))!) == "Running", "the filler itself goes on (its writes fail with ENOSPC)");
        await AssertNeighbourRunsAsync(neighbour, neighbourPid);

        await DeleteAndAssertGoneAsync(bomb, "bomb.yaml", latencies);
        _h.RemoveManifest("vol.yaml");
        await DaemonLifecycleTests.WaitForAsync(() => FreeBytes(_tmpfs) > (80L << 20), "the rootfs layer and the volume are removed: the space is back", 20);
        var next = _h.NewName("after");
        _h.WriteManifest("after.yaml", _h.IsleYaml(next, "exec sleep 1000"));
        await _h.WaitRunningAsync(next, 10);
    }

    [Fact]
    public async Task LogFlood_LogStaysWithinItsRotation_DaemonMemoryBounded_FollowerKeepsReading()
    {
        await _h.StartDaemonAsync();
        var (neighbour, neighbourPid) = await StartNeighbourAsync("exec sleep 1000");
        long rssBefore = RssBytes(_h.Daemon!.Id);
        var bomb = Bomb("logflood");
        // yes: 1 KiB lines as fast as the shim takes them.
        _h.WriteManifest("bomb.yaml", _h.IsleYaml(bomb, "exec yes \"$(head -c 1023 /dev/zero | tr '\\0' x)\"", restartPolicy: "Never",
            extraSpec: "  logging: {maxSize: 1Mi, maxFiles: 2}\n"));
        await _h.WaitRunningAsync(bomb, 10);
        using var follower = _h.StartCtl("logs", "-f", bomb);
        long followed = 0;
        var reading = Task.Run(async () =>
        {
            var buf = new char[65536];
            int n;
            while ((n = await follower.StandardOutput.ReadAsync(buf, CancellationToken.None)) > 0)
                Interlocked.Add(ref followed, n);
        }, CancellationToken.None);
        long rssPeak = rssBefore;
        var sampling = Task.Run(async () =>
        {
            var sw = Stopwatch.StartNew();
            while (sw.Elapsed < TimeSpan.FromSeconds(4))
            {
                rssPeak = Math.Max(rssPeak, RssBytes(_h.Daemon!.Id));
                await Task.Delay(100, CancellationToken.None);
            }
        }, CancellationToken.None);
        try
        {
            var latencies = await ProbeApiAsync(TimeSpan.FromSeconds(4));
            await sampling;
            var files = Directory.GetFiles(Path.Combine(_h.StateDir, "isles", bomb), "log.json*");
            long onDisk = files.Select(f => new FileInfo(f)).Where(f => f.Exists).Sum(f => f.Length); // one may be rotated away meanwhile
            Assert.True(onDisk <= 2 * (1 << 20) + 64 * 1024, $"log files hold {onDisk} bytes: {string.Join(", ", files)}");
            Assert.True(Interlocked.Read(ref followed) > (1 << 20), $"logs -f read {Interlocked.Read(ref followed)} bytes of the flood");
            Assert.False(follower.HasExited, "logs -f is still following");
            TestContext.Current.TestOutputHelper?.WriteLine($"log flood: {onDisk} bytes on disk, logs -f read {Interlocked.Read(ref followed)} bytes, islanderd RSS {rssBefore >> 20} -> peak {rssPeak >> 20} MiB");
            Assert.True(rssPeak - rssBefore < 150L << 20, $"islanderd's RSS went from {rssBefore >> 20} MiB to {rssPeak >> 20} MiB during the flood");
            await AssertNeighbourRunsAsync(neighbour, neighbourPid);
            await DeleteAndAssertGoneAsync(bomb, "bomb.yaml", latencies);
        }
        finally
        {
            if (!follower.HasExited) follower.Kill();
            await follower.WaitForExitAsync(CancellationToken.None);
            await reading;
        }
    }

    /// <summary>
    /// 10 000 TCP sockets on the loopback of the isle's own network namespace (5 000 connections: both ends, and a
    /// listener). An isle gets islanderd's RLIMIT_NOFILE, soft and hard (.NET raises its soft limit to the hard one at
    /// start; the unit sets 1048576), so this fits where that limit does; the sockets are charged to the isle's memory
    /// cgroup.
    /// </summary>
    [Fact]
    public async Task TenThousandSockets_InTheIslesOwnNetns_OpenUnderTheDaemonsNofile_ApiAnswers()
    {
        var bin = Path.Combine(_h.Dir, "probe");
        Directory.CreateDirectory(bin);
        File.WriteAllText(Path.Combine(bin, "sockets.c"), SocketsProgram);
        Run("gcc", "-static", "-O2", "-o", Path.Combine(bin, "sockets"), Path.Combine(bin, "sockets.c"));
        await _h.StartDaemonAsync();
        var (neighbour, neighbourPid) = await StartNeighbourAsync("exec sleep 1000");
        var (soft, hard) = Nofile(_h.Daemon!.Id);
        var bomb = Bomb("sockets");
        _h.WriteManifest("bomb.yaml", _h.IsleYaml(bomb, "exec /probe/sockets 5000", restartPolicy: "Never",
            extraSpec: $"  volumes: [{{hostPath: {bin}, mountPath: /probe, readOnly: true}}]\n"));
        int pid = DaemonHarness.Pid(await _h.WaitRunningAsync(bomb, 10))!.Value;
        Assert.NotEqual(File.ResolveLinkTarget("/proc/self/ns/net", false)!.Name, File.ResolveLinkTarget($"/proc/{pid}/ns/net", false)!.Name);
        Assert.Equal((soft, hard), Nofile(pid));
        await DaemonLifecycleTests.WaitForAsync(() => _h.Log(bomb).Contains("open ", StringComparison.Ordinal), "the isle reports its sockets", 20);
        var report = _h.Log(bomb);
        if (soft == "unlimited" || long.Parse(soft, CultureInfo.InvariantCulture) >= 10_010)
            Assert.Contains("open 10001 sockets", report);
        else
            Assert.Contains("EMFILE", report); // the limit it got, and no other failure

        var latencies = await ProbeApiAsync(TimeSpan.FromSeconds(2));
        await AssertNeighbourRunsAsync(neighbour, neighbourPid);
        await DeleteAndAssertGoneAsync(bomb, "bomb.yaml", latencies);
    }

    /// <summary>
    /// A busy loop on every CPU next to a neighbour's single busy loop, both at the default weight (cpu.shares 1024): the
    /// scheduler splits what the isles get by weight. On two idle CPUs the neighbour's one thread gets one, half; when
    /// other load contends for every CPU, the bomb's weight is spread over its threads' CPUs and the neighbour's is all on
    /// its own, so it gets 1/(CPUs+1) (a third on two). Measured from the cgroups' own CPU time, so other load on the
    /// machine cancels out; a starved neighbour (the bomb at the highest weight: 2 %) is far below the bound.
    /// </summary>
    [Fact]
    public async Task BusyLoopOnEveryCpu_NeighbourGetsItsWeightsShare()
    {
        await _h.StartDaemonAsync();
        var (neighbour, neighbourPid) = await StartNeighbourAsync("while :; do :; done");
        var bomb = Bomb("busy");
        int cpus = Environment.ProcessorCount;
        _h.WriteManifest("bomb.yaml", _h.IsleYaml(bomb, $"for i in $(seq {cpus}); do (while :; do :; done) & done; wait", restartPolicy: "Never"));
        await _h.WaitRunningAsync(bomb, 10);
        await DaemonLifecycleTests.WaitForAsync(() => File.ReadAllText(CgroupFile("pids", bomb, "cgroup.procs")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length > cpus,
            "every busy loop runs", 10);

        long n0 = CpuNanos(neighbour), b0 = CpuNanos(bomb);
        var latencies = await ProbeApiAsync(TimeSpan.FromSeconds(3));
        long n = CpuNanos(neighbour) - n0, b = CpuNanos(bomb) - b0;
        double share = (double)n / (n + b), expected = 1.0 / (cpus + 1);
        TestContext.Current.TestOutputHelper?.WriteLine($"busy loops: the neighbour got {share:P0} of the isles' CPU time ({n / 1e6:F0} ms, the bomb {b / 1e6:F0} ms)");
        Assert.True(share >= expected / 2, $"the neighbour got {share:P0} of the isles' CPU time ({n / 1e6:F0} ms vs the bomb's {b / 1e6:F0} ms); its weight's share is {expected:P0} or more");
        await AssertNeighbourRunsAsync(neighbour, neighbourPid);
        await DeleteAndAssertGoneAsync(bomb, "bomb.yaml", latencies);
    }

    // ---- the user's view ----

    async Task<(string Name, int Pid)> StartNeighbourAsync(string script)
    {
        var name = _h.NewName("neighbour");
        _h.WriteManifest("neighbour.yaml", _h.IsleYaml(name, script));
        return (name, DaemonHarness.Pid(await _h.WaitRunningAsync(name, 10))!.Value);
    }

    async Task AssertNeighbourRunsAsync(string name, int pid)
    {
        var isle = (await _h.GetIsleAsync(name))!;
        Assert.True(DaemonHarness.Phase(isle) == "Running" && DaemonHarness.Pid(isle) == pid && DaemonHarness.ProcessExists(pid),
            $"neighbour {name}: {isle.ToJsonString()}");
    }

    /// <summary>GET isles back to back for <paramref name="duration"/>: every answer a success within <see cref="ApiBound"/>.</summary>
    async Task<List<TimeSpan>> ProbeApiAsync(TimeSpan duration)
    {
        var latencies = new List<TimeSpan>();
        var total = Stopwatch.StartNew();
        while (total.Elapsed < duration)
        {
            var sw = Stopwatch.StartNew();
            using var r = await _h.Http.GetAsync($"{DaemonHarness.Api}/isles", TestContext.Current.CancellationToken);
            _ = await r.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            sw.Stop();
            Assert.True(r.IsSuccessStatusCode, $"GET isles: {(int)r.StatusCode}");
            latencies.Add(sw.Elapsed);
        }
        Assert.True(_h.Daemon is { HasExited: false }, "islanderd runs");
        return latencies;
    }

    /// <summary>Deletes the bomb through the API; it is gone within a generous bound, and so are its processes and cgroups.</summary>
    async Task DeleteAndAssertGoneAsync(string bomb, string manifest, List<TimeSpan> latencies)
    {
        Assert.NotEmpty(latencies);
        var sorted = latencies.Order().ToList();
        TestContext.Current.TestOutputHelper?.WriteLine($"GET isles during the abuse: median {sorted[sorted.Count / 2].TotalMilliseconds:F1} ms, max {sorted[^1].TotalMilliseconds:F1} ms (n={sorted.Count})");
        var slowest = sorted[^1];
        Assert.True(slowest < ApiBound, $"slowest GET isles during the abuse: {slowest.TotalMilliseconds:F0} ms (of {latencies.Count})");
        _h.RemoveManifest(manifest);
        try
        {
            await DaemonLifecycleTests.WaitForAsync(() => _h.GetIsleAsync(bomb).GetAwaiter().GetResult() is null, $"{bomb} is deleted", 20);
        }
        catch (HttpRequestException e)
        {
            Assert.Fail($"the API failed while {bomb} was deleted: {e.Message}\n--- islanderd:\n{_h.DaemonOutput}");
        }
        Assert.Empty(DaemonHarness.CgroupDirs(Path.Combine("islander", bomb)));
    }

    // ---- the kernel's view ----

    static string CgroupFile(string controller, string isle, string file) =>
        HostCaps.CgroupV1
            ? Path.Combine(HostCaps.Cgroups!.Root, controller, "islander", isle, file)
            : Path.Combine(HostCaps.Cgroups!.Root, "islander", isle, file);

    static string ReadCgroup(string controller, string isle, string file) => File.ReadAllText(CgroupFile(controller, isle, file)).Trim();

    /// <summary>How often a fork failed at pids.max (pids.events "max N", v1 and v2).</summary>
    static long PidsLimitHits(string isle) =>
        long.Parse(ReadCgroup("pids", isle, "pids.events").Split('\n').First(l => l.StartsWith("max ", StringComparison.Ordinal))[4..], CultureInfo.InvariantCulture);

    /// <summary>The isle's CPU time so far: cpuacct.usage (v1, ns) or cpu.stat usage_usec (v2).</summary>
    static long CpuNanos(string isle)
    {
        if (!HostCaps.CgroupV1)
            return 1000 * long.Parse(ReadCgroup("cpu", isle, "cpu.stat").Split('\n').First(l => l.StartsWith("usage_usec ", StringComparison.Ordinal))[11..], CultureInfo.InvariantCulture);
        var file = DaemonHarness.CgroupDirs(Path.Combine("islander", isle)).Select(d => Path.Combine(d, "cpuacct.usage")).First(File.Exists);
        return long.Parse(File.ReadAllText(file).Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>Kills every process of the isle's cgroups until none is left (a fork bomb forks while it is killed).</summary>
    static void KillCgroup(string isle)
    {
        for (int round = 0; round < 200; round++)
        {
            var pids = DaemonHarness.CgroupDirs(Path.Combine("islander", isle))
                .Select(d => Path.Combine(d, "cgroup.procs")).Where(File.Exists)
                .SelectMany(f => { try { return File.ReadAllLines(f); } catch (IOException) { return []; } })
                .Select(l => int.Parse(l, CultureInfo.InvariantCulture)).Distinct().ToList();
            if (pids.Count == 0) return;
            foreach (var pid in pids) _ = Tmds.Linux.LibC.kill(pid, Tmds.Linux.LibC.SIGKILL);
            Thread.Sleep(20);
        }
    }

    static int OomScoreAdj(int pid) => int.Parse(File.ReadAllText($"/proc/{pid}/oom_score_adj").Trim(), CultureInfo.InvariantCulture);

    /// <summary>False when the kernel refuses (lowering below the process's floor needs CAP_SYS_RESOURCE).</summary>
    static bool SetOomScoreAdj(int pid, int value)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/oom_score_adj", value.ToString(CultureInfo.InvariantCulture));
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    static int ParentOf(int pid) => int.Parse(File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith("PPid:", StringComparison.Ordinal))[5..].Trim(), CultureInfo.InvariantCulture);

    static long RssBytes(int pid) => 1024 * long.Parse(File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);

    static (string Soft, string Hard) Nofile(int pid)
    {
        var f = File.ReadAllLines($"/proc/{pid}/limits").First(l => l.StartsWith("Max open files", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (f[3], f[4]);
    }

    static long FreeBytes(string path)
    {
        var d = new DriveInfo(path);
        return d.AvailableFreeSpace;
    }

    static void Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{file} {string.Join(' ', args)}: exit {p.ExitCode}\n{err}");
    }

    /// <summary>Opens N loopback connections (both ends) and a listener, reports how many sockets it holds, then waits.</summary>
    const string SocketsProgram = """
        #include <arpa/inet.h>
        #include <errno.h>
        #include <netinet/in.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <sys/resource.h>
        #include <sys/socket.h>
        #include <unistd.h>
        int main(int argc, char **argv)
        {
            int want = atoi(argv[1]), held = 0, err = 0;
            struct rlimit rl;
            getrlimit(RLIMIT_NOFILE, &rl);
            struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
            socklen_t len = sizeof a;
            int l = socket(AF_INET, SOCK_STREAM, 0);
            if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, 4096) < 0 || getsockname(l, (struct sockaddr *)&a, &len) < 0)
                err = errno;
            else
                held = 1;
            for (int i = 0; i < want && !err; i++) {
                int c = socket(AF_INET, SOCK_STREAM, 0);
                if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof a) < 0) { err = errno; break; }
                held++;
                int s = accept(l, NULL, NULL);
                if (s < 0) { err = errno; break; }
                held++;
            }
            printf("open %d sockets (RLIMIT_NOFILE %llu/%llu)%s%s\n", held, (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max,
                err ? ": " : "", err == EMFILE ? "EMFILE" : err ? strerror(err) : "");
            fflush(stdout);
            pause();
            return 0;
        }
        """;
}
