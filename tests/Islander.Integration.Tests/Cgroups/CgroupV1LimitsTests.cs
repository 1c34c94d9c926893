using System.Diagnostics;
using Islander.Drivers.Cgroups;
using Islander.Model;
using Islander.Testing;

namespace Islander.Integration.Tests.Cgroups;

/// <summary>Limits written by the v1 driver, read back from the real files, and enforced by the real kernel.</summary>
[Collection(CgroupCollection.Name)]
public sealed class CgroupV1LimitsTests : IDisposable
{
    readonly ChildProcesses _processes = new();
    TestCgroupParent? _cg;

    TestCgroupParent Cg(params CgroupController[] needs) => _cg ??= new TestCgroupParent(needs);

    public void Dispose()
    {
        try
        {
            _cg?.Dispose();
        }
        finally
        {
            _processes.Dispose();
        }
    }

    [Fact]
    public void Create_AllLimits_RealFilesHoldTheValues()
    {
        var cg = Cg(CgroupController.Memory, CgroupController.Cpu, CgroupController.Cpuset, CgroupController.Pids,
            CgroupController.Io, CgroupController.Devices);
        string disk = HostDevices.RootDisk().Path;
        var isle = cg.Isle("web");

        cg.Driver.Create(isle, new IsleResources
        {
            Memory = 64 << 20, CpuMillis = 500, CpuShares = 512, Cpuset = "0", Pids = 64,
            Io = [new IoLimit(disk, ReadBps: 10 << 20, WriteIops: 100)],
        }, DevicePolicy.Allowlist, TestContext.Current.CancellationToken);

        Assert.Equal("67108864", cg.Read("memory", isle, "memory.limit_in_bytes"));
        if (File.Exists(Path.Combine(cg.Host.Root, "memory", cg.Name, isle, "memory.memsw.limit_in_bytes")))
            Assert.Equal("67108864", cg.Read("memory", isle, "memory.memsw.limit_in_bytes"));
        Assert.Equal("100000", cg.Read("cpu", isle, "cpu.cfs_period_us"));
        Assert.Equal("50000", cg.Read("cpu", isle, "cpu.cfs_quota_us"));
        Assert.Equal("512", cg.Read("cpu", isle, "cpu.shares"));
        Assert.Equal("0", cg.Read("cpuset", isle, "cpuset.cpus"));
        Assert.Equal(cg.Read("cpuset", "", "cpuset.mems"), cg.Read("cpuset", isle, "cpuset.mems"));
        Assert.Equal("64", cg.Read("pids", isle, "pids.max"));
        string dev = DeviceOf(disk);
        Assert.Equal($"{dev} 10485760", cg.Read("blkio", isle, "blkio.throttle.read_bps_device"));
        Assert.Equal($"{dev} 100", cg.Read("blkio", isle, "blkio.throttle.write_iops_device"));
        Assert.Equal("", cg.Read("blkio", isle, "blkio.throttle.write_bps_device"));

        var rules = cg.Read("devices", isle, "devices.list").Split('\n');
        Assert.DoesNotContain("a *:* rwm", rules);
        foreach (var rule in DeviceRules.DockerAllowed)
            Assert.Contains(rule.ToString(), rules); // devices.allow syntax
    }

    /// <summary>
    /// The writes a new group's creation leaves out (<see cref="CgroupV1Plan.NewGroupDefaults"/>) are of what the kernel
    /// gives a new group: each, written to a group the driver made, leaves the file as it is in a group left as made.
    /// </summary>
    [Fact]
    public void Create_NewGroup_TheWritesLeftOutAreTheKernelsDefaults()
    {
        var cg = Cg(CgroupController.Memory, CgroupController.Cpu, CgroupController.Pids);
        var ct = TestContext.Current.CancellationToken;
        string made = cg.Isle("made"), written = cg.Isle("written");
        cg.Driver.Create(made, new IsleResources { Pids = 0 }, DevicePolicy.Allowlist, ct);
        cg.Driver.Create(written, new IsleResources { Pids = 0 }, DevicePolicy.Allowlist, ct);

        int compared = 0;
        foreach (var (file, value) in CgroupV1Plan.NewGroupDefaults)
        {
            var controller = file.Split('.')[0] switch { "memory" => CgroupController.Memory, "cpu" => CgroupController.Cpu, _ => CgroupController.Pids };
            string hierarchy = CgroupV1Driver.HierarchyNames[controller];
            string path = Path.Combine(cg.Host.Root, hierarchy, cg.Name, written, file);
            if (!File.Exists(path))
                continue; // memory.memsw.* without swap accounting
            File.WriteAllText(path, value);
            Assert.Equal(cg.Read(hierarchy, made, file), cg.Read(hierarchy, written, file));
            compared++;
        }
        Assert.True(compared >= 5, $"{compared} files compared");
    }

    [Fact]
    public void Create_MemoryRaisedLoweredLifted_MemswFollows()
    {
        var cg = Cg(CgroupController.Memory);
        var isle = cg.Isle("web");
        bool memsw = true;

        foreach (long? limit in (long?[])[64 << 20, 128 << 20, 32 << 20, null, 16 << 20])
        {
            cg.Driver.Create(isle, new IsleResources { Memory = limit }, DevicePolicy.Allowlist, TestContext.Current.CancellationToken);
            memsw = File.Exists(Path.Combine(cg.Host.Root, "memory", cg.Name, isle, "memory.memsw.limit_in_bytes"));
            long? actual = CgroupText.V1MemoryLimit(cg.Read("memory", isle, "memory.limit_in_bytes"));
            Assert.Equal(limit, actual);
            if (memsw)
                Assert.Equal(limit, CgroupText.V1MemoryLimit(cg.Read("memory", isle, "memory.memsw.limit_in_bytes")));
        }
        Assert.True(memsw, "this host has no memory.memsw.* (swap accounting): the order of memsw writes went untested");
    }

    [Fact]
    public void Create_IoNoLongerWanted_ThrottleLifted()
    {
        var cg = Cg(CgroupController.Io);
        string disk = HostDevices.RootDisk().Path;
        var isle = cg.Isle("web");

        cg.Driver.Create(isle, new IsleResources { Io = [new IoLimit(disk, ReadBps: 1 << 20, WriteBps: 1 << 20)] }, DevicePolicy.Allowlist, TestContext.Current.CancellationToken);
        Assert.NotEqual("", cg.Read("blkio", isle, "blkio.throttle.read_bps_device"));
        cg.Driver.Create(isle, new IsleResources(), DevicePolicy.Allowlist, TestContext.Current.CancellationToken);

        foreach (var file in CgroupV1Plan.ThrottleFiles)
            Assert.Equal("", cg.Read("blkio", isle, file));
    }

    [Fact]
    public void Create_AllowAllDevices_EverythingAllowed()
    {
        var cg = Cg(CgroupController.Devices);
        var isle = cg.Isle("privileged");
        cg.Driver.Create(isle, new IsleResources(), DevicePolicy.Allowlist, TestContext.Current.CancellationToken);
        cg.Driver.Create(isle, new IsleResources(), DevicePolicy.AllowAll, TestContext.Current.CancellationToken);
        Assert.Equal("a *:* rwm", cg.Read("devices", isle, "devices.list"));
    }

    [Fact]
    public void Create_WriteRefused_ExceptionNamesFileValueAndErrno()
    {
        var cg = Cg(CgroupController.Cpuset);
        var isle = cg.Isle("web");
        var e = Assert.Throws<CgroupException>(() => cg.Driver.Create(isle, new IsleResources { Cpuset = "x" }, DevicePolicy.Allowlist, TestContext.Current.CancellationToken));
        Assert.StartsWith($"write {Path.Combine(cg.Host.Root, "cpuset", cg.Name, isle, "cpuset.cpus")} = x: EINVAL", e.Message);
        Assert.Equal(22, e.Errno);
    }

    [Fact]
    public async Task PidsLimit_ForkLoop_NeverExceedsTheLimit()
    {
        var cg = Cg(CgroupController.Pids);
        var isle = cg.Isle("forker");
        cg.Driver.Create(isle, new IsleResources { Pids = 20 }, DevicePolicy.Allowlist, TestContext.Current.CancellationToken);

        // 100 background sleeps into a group that holds 20 tasks. dash gives up at the first refused fork
        // ("Cannot fork"); the sleeps get /dev/null so that they do not hold the test's pipes open.
        var sh = _processes.Start("/bin/sh", "-c",
            "read go; i=0; while [ $i -lt 100 ]; do sleep 30 </dev/null >/dev/null 2>&1 & i=$((i+1)); done; echo loop-done");
        cg.Driver.AddProcess(isle, sh.Id, TestContext.Current.CancellationToken);
        sh.StandardInput.WriteLine("go");
        sh.StandardInput.Close();

        long max = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!sh.HasExited && DateTime.UtcNow < deadline)
        {
            max = Math.Max(max, long.Parse(cg.Read("pids", isle, "pids.current")));
            Thread.Sleep(2);
        }
        max = Math.Max(max, long.Parse(cg.Read("pids", isle, "pids.current")));

        Assert.True(sh.WaitForExit(TimeSpan.FromSeconds(5)), "the fork loop neither finished nor failed");
        Assert.InRange(max, 2, 20);
        Assert.Equal(19, long.Parse(cg.Read("pids", isle, "pids.current"))); // the sleeps, without the shell
        Assert.True(CgroupText.Keyed(cg.Read("pids", isle, "pids.events"), "max") > 0, "pids.events counts no refused fork");
        Assert.DoesNotContain("loop-done", sh.StandardOutput.ReadToEnd());
        Assert.Contains("fork", sh.StandardError.ReadToEnd(), StringComparison.OrdinalIgnoreCase);

        await cg.Driver.DeleteAsync(isle, TestContext.Current.CancellationToken);
        Assert.False(cg.Driver.Exists(isle, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Delete_ForkLoopStillForking_KillsEverything()
    {
        var cg = Cg(CgroupController.Pids, CgroupController.Freezer);
        var isle = cg.Isle("forker");
        cg.Driver.Create(isle, new IsleResources { Pids = 50 }, DevicePolicy.Allowlist, TestContext.Current.CancellationToken);

        // Keeps forking short-lived children for as long as it lives.
        var sh = _processes.Start("/bin/sh", "-c", "read go; while :; do sleep 0.01 & sleep 0.01; done");
        cg.Driver.AddProcess(isle, sh.Id, TestContext.Current.CancellationToken);
        sh.StandardInput.WriteLine("go");
        sh.StandardInput.Close();
        Thread.Sleep(300);
        Assert.False(sh.HasExited);

        await cg.Driver.DeleteAsync(isle, TestContext.Current.CancellationToken);

        Assert.False(cg.Driver.Exists(isle, TestContext.Current.CancellationToken));
        Assert.True(sh.WaitForExit(TimeSpan.FromSeconds(5)));
    }

    /// <summary>
    /// The isle's processes are read from its devices group alone; a group missing there (made or removed in part, as
    /// a crash can leave it) sends the look to the other hierarchies, and the deletion still finds the process.
    /// </summary>
    [Fact]
    public async Task Processes_FromTheDevicesGroup_TheOthersWhenItIsMissing_DeleteKillsIt()
    {
        var ct = TestContext.Current.CancellationToken;
        var cg = Cg(CgroupController.Devices, CgroupController.Memory, CgroupController.Pids);
        var isle = cg.Isle("lister");
        cg.Driver.Create(isle, new IsleResources(), DevicePolicy.Allowlist, ct);
        var sleep = _processes.Start("/bin/sleep", "1000");
        cg.Driver.AddProcess(isle, sleep.Id, ct);
        Assert.Equal([sleep.Id], cg.Driver.Processes(isle, ct));

        // Out of the isle's devices group, which then goes: only memory and pids still hold it.
        string devices = Path.Combine(cg.Host.Root, "devices", cg.Name);
        File.WriteAllText(Path.Combine(devices, "cgroup.procs"), sleep.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.Delete(Path.Combine(devices, isle));
        Assert.Equal([sleep.Id], cg.Driver.Processes(isle, ct));

        await cg.Driver.DeleteAsync(isle, ct);
        Assert.True(sleep.WaitForExit(TimeSpan.FromSeconds(5)));
        Assert.False(cg.Driver.Exists(isle, ct));
    }

    [Fact]
    public void MemoryLimit_AllocationPastIt_OomKilledAndCounted()
    {
        var cg = Cg(CgroupController.Memory);
        var isle = cg.Isle("hog");
        cg.Driver.Create(isle, new IsleResources { Memory = 32 << 20 }, DevicePolicy.Allowlist, TestContext.Current.CancellationToken);

        // tail keeps a line in memory until its end: 200 MiB without a newline is 200 MiB of heap.
        var sh = _processes.Start("/bin/sh", "-c", "read go; head -c 200M /dev/zero | tail > /dev/null; echo \"tail exited $?\"");
        cg.Driver.AddProcess(isle, sh.Id, TestContext.Current.CancellationToken);
        sh.StandardInput.WriteLine("go");
        sh.StandardInput.Close();
        Assert.True(sh.WaitForExit(TimeSpan.FromSeconds(60)), "the allocation neither finished nor was killed");
        string stdout = sh.StandardOutput.ReadToEnd();

        Assert.Contains("tail exited 137", stdout); // 128 + SIGKILL
        Assert.Equal(1, cg.Driver.Stats(isle, TestContext.Current.CancellationToken).OomKills);
        var oomFile = cg.Driver.Paths(isle).OomEventsFile!;
        Assert.Equal(1, CgroupText.Keyed(File.ReadAllText(oomFile), CgroupPaths.OomKillKey));
    }

    [Fact]
    public void Stats_BusyProcess_CountsCpuAndMemory()
    {
        var cg = Cg(CgroupController.Memory, CgroupController.CpuAcct, CgroupController.Pids);
        var isle = cg.Isle("busy");
        cg.Driver.Create(isle, new IsleResources(), DevicePolicy.Allowlist, TestContext.Current.CancellationToken);

        var sh = _processes.Start("/bin/sh", "-c", "read go; i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; read wait");
        cg.Driver.AddProcess(isle, sh.Id, TestContext.Current.CancellationToken);
        sh.StandardInput.WriteLine("go");
        Thread.Sleep(300);

        var stats = cg.Driver.Stats(isle, TestContext.Current.CancellationToken);
        Assert.True(stats.CpuTime > TimeSpan.Zero, $"cpu time {stats.CpuTime}");
        // v1 leaves the pages charged where they were touched (move_charge_at_immigrate 0): usage may stay 0.
        Assert.True(stats.MemoryBytes >= 0, $"memory {stats.MemoryBytes}");
        Assert.Equal(1, stats.Pids);
        Assert.Equal(0, stats.OomKills);
    }

    [Fact]
    public void Detect_ThisHost_V1ControllersMounted()
    {
        HostCaps.Require(HostCaps.Cgroups is not null, "a cgroup filesystem at /sys/fs/cgroup");
        HostCaps.RequireCgroup(CgroupVersion.V1);
        var host = CgroupDetector.Detect();
        Assert.Contains(host.Layout, (CgroupLayout[])[CgroupLayout.Legacy, CgroupLayout.Hybrid]);
        Assert.Equal(Directory.Exists("/sys/fs/cgroup/unified") ? CgroupLayout.Hybrid : CgroupLayout.Legacy, host.Layout);
        foreach (var c in (CgroupController[])[CgroupController.Memory, CgroupController.Cpu, CgroupController.Pids, CgroupController.Cpuset])
            Assert.Contains(c, host.Controllers);
        Assert.IsType<CgroupV1Driver>(CgroupDetector.CreateDriver(host));
    }

    static string DeviceOf(string path)
    {
        var info = new ProcessStartInfo("stat", ["-L", "-c", "%t %T", path]) { RedirectStandardOutput = true };
        using var p = Process.Start(info)!;
        var hex = p.StandardOutput.ReadToEnd().Trim().Split(' ');
        p.WaitForExit();
        return $"{Convert.ToUInt32(hex[0], 16)}:{Convert.ToUInt32(hex[1], 16)}";
    }
}
