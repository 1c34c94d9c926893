using System.Diagnostics;
using Islander.Drivers.Cgroups;
using Islander.Model;
using Islander.Testing;

namespace Islander.Integration.Tests.Isles;

/// <summary>cgroup limits as an isle feels them: OOM kills, CPU time, cpusets, task counts, IO throttles.</summary>
[Collection(IsleCollection.Name)]
public sealed class IsleLimitsTests : IAsyncDisposable
{
    readonly IsleHarness _h = new();

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    static IsleSpec Limited(IsleResources resources, params string[] command) => IsleHarness.Spec(command) with { Resources = resources };

    [Fact]
    public async Task Run_AllocatingPastMemoryLimit_IsReportedAsOomKilled()
    {
        // 100 MB through a pipe into a shell variable: really resident, far past 32 MiB.
        var spec = Limited(new IsleResources { Memory = 32 << 20 }, "sh", "-c", "x=$(head -c 100000000 /dev/zero | tr '\\0' a); echo survived");

        var (status, output) = await _h.RunAsync(spec);

        Assert.True(status.OomKilled, $"status {status}, output {output}");
        Assert.Equal(9, status.Signal);
        Assert.Equal(137, status.Code);
        Assert.DoesNotContain("survived", output);
    }

    [Fact]
    public async Task Run_ChildOomKilled_OomKilledWithPid1sOwnExitCode()
    {
        // The kernel kills tail, not sh (pid 1), which carries on and exits as it chooses. Docker says OOMKilled=true with that exit code.
        var spec = Limited(new IsleResources { Memory = 32 << 20 }, "sh", "-c", OomScript.ChildKilledThenExit3);

        var (status, output) = await _h.RunAsync(spec);

        Assert.True(status.OomKilled, $"status {status}, output {output}");
        Assert.Equal((3, 0), (status.ExitCode, status.Signal));
        Assert.Contains("tail=137", output);
    }

    [Fact]
    public async Task Run_WithinMemoryLimit_IsNotOomKilled()
    {
        var (status, _) = await _h.RunAsync(Limited(new IsleResources { Memory = 64 << 20 }, "sh", "-c", "x=$(head -c 1000000 /dev/zero | tr '\\0' a)"));

        Assert.Equal((0, false), (status.Code, status.OomKilled));
    }

    [Fact]
    public async Task Run_HalfACpu_BusyLoopGetsHalfACore()
    {
        var (name, _) = await _h.StartAsync(Limited(new IsleResources { CpuMillis = 500 }, "sh", "-c", "while :; do :; done"));
        await Task.Delay(500, TestContext.Current.CancellationToken); // let the quota settle in

        // One-second windows: the quota caps every window at half a core (plus the jitter of where CFS periods
        // fall); other work on a loaded machine can take the CPU from the isle in some windows, so at least one
        // of them, not all, must show the whole half core: up to 20 windows, until one does.
        var shares = new List<double>();
        for (int i = 0; i < 20 && (i < 6 || shares.Max() < 0.40); i++)
        {
            var before = _h.Cgroups.Stats(name, TestContext.Current.CancellationToken).CpuTime!.Value;
            var clock = Stopwatch.StartNew();
            await Task.Delay(1000, TestContext.Current.CancellationToken);
            shares.Add((_h.Cgroups.Stats(name, TestContext.Current.CancellationToken).CpuTime!.Value - before).TotalSeconds / clock.Elapsed.TotalSeconds);
        }

        Assert.All(shares, share => Assert.True(share <= 0.60, $"a window used {share:0.00} of a core: {string.Join(", ", shares.Select(s => s.ToString("0.00")))}"));
        // The floor holds only when a core is free for the isle: with more runnable tasks than cores (the 1-minute
        // load average), the quota is still checked above, the share it could get is not.
        double load = double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        if (load < Environment.ProcessorCount)
            Assert.InRange(shares.Max(), 0.40, 0.60);
        else
            TestContext.Current.SendDiagnosticMessage($"load average {load} on {Environment.ProcessorCount} cores: windows {string.Join(", ", shares.Select(s => s.ToString("0.00")))}");
    }

    [Fact]
    public async Task Run_CpuSharesQuotaAndPeriod_AreWrittenToTheGroup()
    {
        HostCaps.RequireCgroup(CgroupVersion.V1);
        var (name, _) = await _h.StartAsync(Limited(new IsleResources { CpuShares = 512, CpuQuota = 25000, CpuPeriod = 50000 }, "sleep", "100"));

        Assert.Equal("512", ReadV1("cpu", name, "cpu.shares"));
        Assert.Equal("25000", ReadV1("cpu", name, "cpu.cfs_quota_us"));
        Assert.Equal("50000", ReadV1("cpu", name, "cpu.cfs_period_us"));
    }

    [Fact]
    public async Task Run_Cpuset_PinsTheIsleToThoseCpus()
    {
        var output = await _h.OutputAsync(Limited(new IsleResources { Cpuset = "0" }, "sh", "-c", "grep Cpus_allowed_list /proc/self/status; nproc"));

        Assert.Equal("Cpus_allowed_list:\t0\n1", output);
    }

    [Fact]
    public async Task Run_ForkBomb_StopsAtThePidsLimitAndTheHostCanStillFork()
    {
        // busybox sh gives up at the first fork the kernel refuses; every fork before it left a sleep behind.
        var spec = Limited(new IsleResources { Pids = 20 }, "sh", "-c", "i=0; while :; do sleep 60 & i=$((i+1)); echo $i; done");

        var run = await _h.RunAsync(spec);
        var (status, output) = run;

        Assert.Contains("can't fork", output);
        Assert.Equal("19", output.Split('\n')[^3]); // sh itself and 19 sleeps make 20 tasks
        Assert.NotEqual(0, status.Code);
        string events = _h.Cgroups.Paths(run.Name).Directories.Select(d => Path.Combine(d, "pids.events")).First(File.Exists);
        Assert.True(MaxEvents(events) >= 1, "pids.events counts the forks the limit refused");
        using var host = Process.Start("true")!; // the host is unaffected
        await host.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, host.ExitCode);
    }

    [Fact]
    public async Task Run_NoPidsLimitSet_GroupHasTheDefault2048()
    {
        var (name, _) = await _h.StartAsync(IsleHarness.Spec("sleep", "100"));

        Assert.Equal("2048", ReadPidsMax(name));
    }

    [Fact]
    public async Task Run_PidsMax_GroupHasNoLimit()
    {
        var (name, _) = await _h.StartAsync(Limited(new IsleResources { Pids = 0 }, "sleep", "100"));

        Assert.Equal("max", ReadPidsMax(name));
    }

    [Fact]
    public async Task Start_InitIsInTheIsleGroupOfEveryHierarchy_AndAloneThere()
    {
        // isle-init starts init there itself: a helper joins the v1 groups and clones it, cgroup2 by CLONE_INTO_CGROUP.
        var (name, process) = await _h.StartAsync(IsleHarness.Spec("sleep", "100"));

        AssertAloneInItsGroups(name, process.InitPid);
    }

    [Fact]
    public async Task Start_PidsLimitOfOne_InitStillStartsInItsGroups()
    {
        // One task: no room for isle-init's joining helper next to init, so the daemon places init itself.
        var (name, process) = await _h.StartAsync(Limited(new IsleResources { Pids = 1 }, "sleep", "100"));

        AssertAloneInItsGroups(name, process.InitPid);
        Assert.Equal("1", ReadPidsMax(name));
    }

    /// <summary>The host's view, /proc/PID/cgroup: "4:memory:/PARENT/ISLE", "1:name=systemd:/PARENT/ISLE", "0::/PARENT/ISLE".</summary>
    void AssertAloneInItsGroups(string name, int initPid)
    {
        var joined = _h.IsleHierarchiesOf(initPid);
        Assert.NotEmpty(joined);
        Assert.All(joined, f => Assert.Equal($"/{_h.CgroupParent}/{name}", f[2]));
        Assert.Equal(new[] { initPid }, _h.Cgroups.Processes(name, TestContext.Current.CancellationToken).ToArray());
    }

    string ReadPidsMax(string isle) =>
        File.ReadAllText(_h.Cgroups.Paths(isle).Directories.Select(d => Path.Combine(d, "pids.max")).First(File.Exists)).Trim();

    static long MaxEvents(string file) =>
        long.Parse(File.ReadAllLines(file).Select(l => l.Split(' ')).First(f => f[0] == "max")[1]);

    [Fact]
    public async Task Run_BlockIoLimits_AreWrittenForTheDevice()
    {
        HostCaps.RequireCgroup(CgroupVersion.V1);
        var (device, rdev) = HostDevices.RootDisk();
        var spec = Limited(new IsleResources { Io = [new IoLimit(device, ReadBps: 10 << 20, WriteBps: 5 << 20)] }, "sleep", "100");

        var (name, _) = await _h.StartAsync(spec);

        Assert.Equal($"{rdev} {10 << 20}", ReadV1("blkio", name, "blkio.throttle.read_bps_device"));
        Assert.Equal($"{rdev} {5 << 20}", ReadV1("blkio", name, "blkio.throttle.write_bps_device"));
    }

    [Fact]
    public async Task Run_MemoryLimit_IsWrittenWithoutExtraSwap()
    {
        HostCaps.RequireCgroup(CgroupVersion.V1);
        var (name, _) = await _h.StartAsync(Limited(new IsleResources { Memory = 64 << 20 }, "sleep", "100"));

        Assert.Equal("67108864", ReadV1("memory", name, "memory.limit_in_bytes"));
        if (File.Exists(Path.Combine(HostCaps.Cgroups!.Root, "memory", _h.CgroupParent, name, "memory.memsw.limit_in_bytes")))
            Assert.Equal("67108864", ReadV1("memory", name, "memory.memsw.limit_in_bytes"));
    }

    string ReadV1(string hierarchy, string isle, string file) =>
        File.ReadAllText(Path.Combine(HostCaps.Cgroups!.Root, hierarchy, _h.CgroupParent, isle, file)).Trim();

    static async Task WaitUntil(Func<bool> condition)
    {
        for (var clock = Stopwatch.StartNew(); !condition(); await Task.Delay(50, TestContext.Current.CancellationToken))
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "timed out");
    }
}
