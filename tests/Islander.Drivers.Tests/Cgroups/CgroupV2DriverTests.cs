using Islander.Drivers.Cgroups;
using Islander.Model;
using Islander.Testing;
using Islander.Testing.Cgroups;

namespace Islander.Drivers.Tests.Cgroups;

/// <summary>The v2 driver on a fake cgroupfs tree (no root): the contract, then the files it leaves.</summary>
public class CgroupV2DriverTests : CgroupDriverContract
{
    readonly FakeCgroup2Fs _fs = new();
    readonly ChildProcesses _processes = new();

    public CgroupV2DriverTests() => _fs.BlockDevices["/dev/fakedisk"] = new DeviceNumber(8, 0);

    protected override ICgroupDriver CreateDriver() => new CgroupV2Driver(_fs.Root, "islander", _fs);
    protected override int StartProcess() => _processes.StartSleep();
    protected override bool IsInGroup(string isle, int pid) =>
        File.Exists(Path.Combine(_fs.Root, "islander", isle, "cgroup.procs"))
        && CgroupText.Pids(File.ReadAllText(Path.Combine(_fs.Root, "islander", isle, "cgroup.procs"))).Contains(pid);
    protected override bool IsRunning(int pid) => _processes.IsRunning(pid);
    protected override bool RestrictsDevices(string isle) =>
        _fs.DeviceFilters.TryGetValue(Path.Combine(_fs.Root, "islander", isle), out var program)
        && !EbpfInterpreter.Allows(program, DeviceType.Char, 1, 11, DeviceAccess.Read);

    protected override void Cleanup()
    {
        _processes.Dispose();
        _fs.Dispose();
    }

    static readonly IsleResources Everything = new()
    {
        Memory = 64 << 20, CpuMillis = 500, CpuShares = 512, Cpuset = "0", Pids = 64,
        Io = [new IoLimit("/dev/fakedisk", ReadBps: 10 << 20, WriteIops: 100)],
    };

    [Fact]
    public async Task Freeze_WritesCgroupFreeze_FrozenWhenCgroupEventsSaysSo()
    {
        var isle = NewIsle("web");
        Driver.Create(isle, new IsleResources(), DevicePolicy.AllowAll, TestContext.Current.CancellationToken);

        await Driver.FreezeAsync(isle, true, TestContext.Current.CancellationToken);
        Assert.Equal("1", _fs.Text($"islander/{isle}/cgroup.freeze"));
        Assert.Contains("frozen 1", _fs.Text($"islander/{isle}/cgroup.events"));

        await Driver.FreezeAsync(isle, false, TestContext.Current.CancellationToken);
        Assert.Equal("0", _fs.Text($"islander/{isle}/cgroup.freeze"));
        Assert.False(Driver.Frozen(isle, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Freeze_WriteRefused_ThrowsNamingTheFile_NotFrozen()
    {
        var isle = NewIsle("web");
        Driver.Create(isle, new IsleResources(), DevicePolicy.AllowAll, TestContext.Current.CancellationToken);
        _fs.FailWrites["cgroup.freeze"] = 16; // EBUSY

        var e = await Assert.ThrowsAsync<CgroupException>(() => Driver.FreezeAsync(isle, true, TestContext.Current.CancellationToken));

        Assert.Contains("cgroup.freeze", e.Message);
        Assert.False(Driver.Frozen(isle, TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Create_AllLimits_FilesHoldTheValues()
    {
        Driver.Create(NewIsle("web"), Everything, DevicePolicy.AllowAll, TestContext.Current.CancellationToken);

        Assert.Equal("67108864", _fs.Text("islander/web/memory.max"));
        Assert.Equal("0", _fs.Text("islander/web/memory.swap.max"));
        Assert.Equal("50000 100000", _fs.Text("islander/web/cpu.max"));
        Assert.Equal("20", _fs.Text("islander/web/cpu.weight"));
        Assert.Equal("0", _fs.Text("islander/web/cpuset.cpus"));
        Assert.Equal("64", _fs.Text("islander/web/pids.max"));
        Assert.Equal("8:0 rbps=10485760 wbps=max riops=max wiops=100", _fs.Text("islander/web/io.max"));
    }

    [Fact]
    public void Create_DeviceAllowlist_AttachesDockersFilterToTheIsleGroup()
    {
        Driver.Create(NewIsle("web"), new IsleResources(), DevicePolicy.Allowlist, TestContext.Current.CancellationToken);

        var program = Assert.Single(_fs.DeviceFilters, f => f.Key == Path.Combine(_fs.Root, "islander", "web")).Value;
        Assert.Equal(DeviceFilterProgram.For(DevicePolicy.Allowlist), program);
        Assert.True(EbpfInterpreter.Allows(program, DeviceType.Char, 1, 3, DeviceAccess.Read | DeviceAccess.Write));
        Assert.True(EbpfInterpreter.Allows(program, DeviceType.Block, 8, 0, DeviceAccess.Mknod));
        Assert.False(EbpfInterpreter.Allows(program, DeviceType.Block, 8, 0, DeviceAccess.Read));
    }

    [Fact]
    public void Create_AllowAllAfterAllowlist_RemovesTheFilter()
    {
        Driver.Create(NewIsle("web"), new IsleResources(), DevicePolicy.Allowlist, TestContext.Current.CancellationToken);
        Driver.Create("web", new IsleResources(), DevicePolicy.AllowAll, TestContext.Current.CancellationToken);
        Assert.Empty(_fs.DeviceFilters);
    }

    [Fact]
    public async Task Delete_Group_TakesItsFilter()
    {
        Driver.Create(NewIsle("web"), new IsleResources(), DevicePolicy.Allowlist, TestContext.Current.CancellationToken);
        await Driver.DeleteAsync("web", TestContext.Current.CancellationToken);
        Assert.Empty(_fs.DeviceFilters);
    }

    [Fact]
    public void Create_NewParent_EnablesOurControllersDownTheTree()
    {
        Driver.Create(NewIsle("web"), new IsleResources(), DevicePolicy.AllowAll, TestContext.Current.CancellationToken);

        Assert.Equal("cpu cpuset io memory pids", _fs.Text("cgroup.subtree_control"));
        Assert.Equal("cpu cpuset io memory pids", _fs.Text("islander/cgroup.subtree_control"));
        Assert.Equal("cpu cpuset io memory pids", _fs.Text("islander/web/cgroup.controllers"));
    }

    [Fact]
    public async Task Create_NestedParent_CreatesEachLevel()
    {
        var driver = new CgroupV2Driver(_fs.Root, "system.slice/islander", _fs);
        driver.Create("web", new IsleResources { Pids = 5 }, DevicePolicy.AllowAll, TestContext.Current.CancellationToken);
        Assert.Equal("5", _fs.Text("system.slice/islander/web/pids.max"));
        await driver.DeleteAsync("web", TestContext.Current.CancellationToken);
        Assert.False(driver.Exists("web", TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Create_AgainWithoutLimits_ResetsEveryFile()
    {
        Driver.Create(NewIsle("web"), Everything, DevicePolicy.AllowAll, TestContext.Current.CancellationToken);
        Driver.Create("web", new IsleResources { Pids = 0 }, DevicePolicy.AllowAll, TestContext.Current.CancellationToken);

        Assert.Equal("max", _fs.Text("islander/web/memory.max"));
        Assert.Equal("max", _fs.Text("islander/web/memory.swap.max"));
        Assert.Equal("max 100000", _fs.Text("islander/web/cpu.max"));
        Assert.Equal("100", _fs.Text("islander/web/cpu.weight"));
        Assert.Equal("", _fs.Text("islander/web/cpuset.cpus"));
        Assert.Equal("max", _fs.Text("islander/web/pids.max"));
        Assert.Equal("", _fs.Text("islander/web/io.max"));
    }

    [Fact]
    public void Create_IoDeviceThatIsNotABlockDevice_InvalidManifestAndNothingCreated()
    {
        var e = Assert.Throws<CgroupException>(() => Driver.Create(NewIsle("web"),
            new IsleResources { Io = [new IoLimit("/dev/null", ReadBps: 1)] }, DevicePolicy.AllowAll, TestContext.Current.CancellationToken));
        Assert.Equal(ErrorCategory.InvalidManifest, e.Category);
        Assert.Contains("/dev/null", e.Message);
        Assert.False(Driver.Exists("web", TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Create_IoDeviceMissing_NamesThePath()
    {
        var e = Assert.Throws<CgroupException>(() => Driver.Create(NewIsle("web"),
            new IsleResources { Io = [new IoLimit("/dev/no-such-disk", ReadBps: 1)] }, DevicePolicy.AllowAll, TestContext.Current.CancellationToken));
        Assert.Contains("/dev/no-such-disk", e.Message);
        Assert.Equal(ErrorCategory.NotFound, e.Category);
    }

    [Fact]
    public void Create_WriteFails_ExceptionNamesFileValueAndErrno()
    {
        _fs.FailWrites["memory.max"] = 16;
        var e = Assert.Throws<CgroupException>(() => Driver.Create(NewIsle("web"), new IsleResources { Memory = 1000 }, DevicePolicy.AllowAll, TestContext.Current.CancellationToken));
        Assert.StartsWith($"write {_fs.Root}/islander/web/memory.max = 1000: EBUSY", e.Message);
        Assert.Equal(ErrorCategory.Transient, e.Category);
    }

    [Fact]
    public async Task Create_ControllerNotOffered_RequestedLimitUnsupportedDefaultsSkipped()
    {
        using var fs = new FakeCgroup2Fs(controllers: "cpu memory");
        var driver = new CgroupV2Driver(fs.Root, "islander", fs);

        driver.Create("web", new IsleResources { Memory = 1 << 20 }, DevicePolicy.AllowAll, TestContext.Current.CancellationToken);
        var e = Assert.Throws<CgroupException>(() => driver.Create("web", new IsleResources { Pids = 10 }, DevicePolicy.AllowAll, TestContext.Current.CancellationToken));

        Assert.Equal(ErrorCategory.Unsupported, e.Category);
        Assert.Contains("pids", e.Message);
        await driver.DeleteAsync("web", TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Create_NoSwapAccounting_MemoryOnly()
    {
        using var fs = new FakeCgroup2Fs(swap: false);
        var driver = new CgroupV2Driver(fs.Root, "islander", fs);
        driver.Create("web", new IsleResources { Memory = 1 << 20 }, DevicePolicy.AllowAll, TestContext.Current.CancellationToken);
        Assert.Equal("1048576", fs.Text("islander/web/memory.max"));
        Assert.False(File.Exists(Path.Combine(fs.Root, "islander/web/memory.swap.max")));
        await driver.DeleteAsync("web", TestContext.Current.CancellationToken);
    }

    [Fact]
    public void AddProcess_ProcessGone_NotFound()
    {
        Driver.Create(NewIsle("web"), new IsleResources(), DevicePolicy.AllowAll, TestContext.Current.CancellationToken);
        var e = Assert.Throws<CgroupException>(() => Driver.AddProcess("web", int.MaxValue - 1, TestContext.Current.CancellationToken));
        Assert.Equal(ErrorCategory.NotFound, e.Category);
    }

    [Fact]
    public void Stats_ReadsTheCounters()
    {
        Driver.Create(NewIsle("web"), new IsleResources(), DevicePolicy.AllowAll, TestContext.Current.CancellationToken);
        File.WriteAllText(Path.Combine(_fs.Root, "islander/web/memory.current"), "4096\n");
        File.WriteAllText(Path.Combine(_fs.Root, "islander/web/cpu.stat"), "usage_usec 1500000\nuser_usec 1000000\n");
        File.WriteAllText(Path.Combine(_fs.Root, "islander/web/pids.current"), "3\n");
        File.WriteAllText(Path.Combine(_fs.Root, "islander/web/memory.events"), "low 0\nhigh 0\nmax 4\noom 2\noom_kill 1\n");

        Assert.Equal(new CgroupStats(4096, TimeSpan.FromSeconds(1.5), 3, 1) { PidsLimit = 2048, IoReadBytes = 0, IoWriteBytes = 0 }, Driver.Stats("web", TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Create_OomGroup_WritesMemoryOomGroup1_UnsetAgainWrites0()
    {
        var isle = NewIsle("web");
        string file = Path.Combine(_fs.Root, "islander/web/memory.oom.group");

        Driver.Create(isle, new IsleResources { Memory = 64 << 20, OomGroup = true }, DevicePolicy.AllowAll, TestContext.Current.CancellationToken);
        Assert.Equal("1", File.ReadAllText(file).Trim());

        Driver.Create(isle, new IsleResources { Memory = 64 << 20 }, DevicePolicy.AllowAll, TestContext.Current.CancellationToken);
        Assert.Equal("0", File.ReadAllText(file).Trim());
    }

    [Fact]
    public void Create_OomGroupWithoutTheMemoryController_Unsupported()
    {
        using var fs = new FakeCgroup2Fs(controllers: "cpu pids");
        var driver = new CgroupV2Driver(fs.Root, "islander", fs);

        var e = Assert.Throws<CgroupException>(() => driver.Create("web", new IsleResources { OomGroup = true }, DevicePolicy.AllowAll, TestContext.Current.CancellationToken));

        Assert.Equal(ErrorCategory.Unsupported, e.Category);
        Assert.Contains("memory.oom.group", e.Message);
    }

    [Fact]
    public void Paths_OneDirectoryAndMemoryEvents()
    {
        var paths = Driver.Paths("web");
        Assert.Equal([Path.Combine(_fs.Root, "islander", "web")], paths.Directories);
        Assert.Equal(Path.Combine(_fs.Root, "islander", "web", "memory.events"), paths.OomEventsFile);
        Assert.Equal(Path.Combine(_fs.Root, "islander", "web"), paths.CloneInto); // init is cloned into it, no v1 joins
        Assert.Empty(paths.JoinTasksFiles);
    }

    [Fact]
    public async Task Delete_WithoutCgroupKill_KillLoopEmptiesTheGroup()
    {
        using var fs = new FakeCgroup2Fs(cgroupKill: false);
        var driver = new CgroupV2Driver(fs.Root, "islander", fs);
        driver.Create("web", new IsleResources(), DevicePolicy.AllowAll, TestContext.Current.CancellationToken);
        int pid = _processes.StartSleep();
        driver.AddProcess("web", pid, TestContext.Current.CancellationToken);

        await driver.DeleteAsync("web", TestContext.Current.CancellationToken);

        Assert.False(driver.Exists("web", TestContext.Current.CancellationToken));
        Assert.False(_processes.IsRunning(pid));
    }

    [Fact]
    public async Task DeleteAsync_ProcessesSlowToLeave_ReturnsWithoutHoldingTheThread()
    {
        // The reaper waits between polls; a pause that takes seconds must not keep the caller's thread for seconds.
        using var fs = new FakeCgroup2Fs(cgroupKill: false);
        var driver = new CgroupV2Driver(fs.Root, "islander", fs);
        driver.Create("web", new IsleResources(), DevicePolicy.AllowAll, TestContext.Current.CancellationToken);
        driver.AddProcess("web", _processes.StartSleep(), TestContext.Current.CancellationToken);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        fs.PauseGate = gate.Task;
        using var opener = new Timer(_ => gate.TrySetResult(), null, TimeSpan.FromSeconds(2), Timeout.InfiniteTimeSpan);

        var started = System.Diagnostics.Stopwatch.StartNew();
        var delete = driver.DeleteAsync("web", TestContext.Current.CancellationToken);
        var returnedAfter = started.Elapsed;

        Assert.False(delete.IsCompleted, "DeleteAsync finished before the pause ended: it waited on the calling thread");
        Assert.True(returnedAfter < TimeSpan.FromSeconds(1), $"DeleteAsync held its caller for {returnedAfter}");
        await delete;
        Assert.False(driver.Exists("web", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task DeleteAsync_CancelledWhileWaiting_StopsAndLeavesTheGroupForTheNextDelete()
    {
        using var fs = new FakeCgroup2Fs(cgroupKill: false);
        var driver = new CgroupV2Driver(fs.Root, "islander", fs);
        driver.Create("web", new IsleResources(), DevicePolicy.AllowAll, TestContext.Current.CancellationToken);
        driver.AddProcess("web", _processes.StartSleep(), TestContext.Current.CancellationToken);
        fs.PauseGate = new TaskCompletionSource().Task; // time never passes
        using var cancel = new CancellationTokenSource();

        var delete = driver.DeleteAsync("web", cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => delete);
        Assert.True(driver.Exists("web", TestContext.Current.CancellationToken));
        fs.PauseGate = null;
        await driver.DeleteAsync("web", TestContext.Current.CancellationToken);
        Assert.False(driver.Exists("web", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Delete_WithChildGroups_RemovesThemFirst()
    {
        Driver.Create(NewIsle("web"), new IsleResources(), DevicePolicy.AllowAll, TestContext.Current.CancellationToken);
        _fs.MakeDirectory(Path.Combine(_fs.Root, "islander/web/inner"));
        _fs.MakeDirectory(Path.Combine(_fs.Root, "islander/web/inner/deeper"));
        int pid = _processes.StartSleep();
        _fs.Write(Path.Combine(_fs.Root, "islander/web/inner/deeper/cgroup.procs"), pid.ToString());

        await Driver.DeleteAsync("web", TestContext.Current.CancellationToken);

        Assert.False(Driver.Exists("web", TestContext.Current.CancellationToken));
        Assert.True(Eventually(() => !_processes.IsRunning(pid)));
    }

    [Fact]
    public async Task Delete_KeepsTheParent()
    {
        Driver.Create(NewIsle("web"), new IsleResources(), DevicePolicy.AllowAll, TestContext.Current.CancellationToken);
        await Driver.DeleteAsync("web", TestContext.Current.CancellationToken);
        Assert.True(Directory.Exists(Path.Combine(_fs.Root, "islander")));
    }
}
