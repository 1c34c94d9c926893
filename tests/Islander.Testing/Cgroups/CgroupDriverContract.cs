using Xunit;
using Islander.Drivers.Cgroups;
using Islander.Model;

namespace Islander.Testing.Cgroups;

/// <summary>
/// What every <see cref="ICgroupDriver"/> promises, run against the fake, the v2 driver on a fake cgroupfs
/// tree and the real kernel (containerd's SnapshotterSuite). It lives in Islander.Testing so that both the
/// unit and the integration test projects can inherit it.
/// </summary>
public abstract class CgroupDriverContract : IDisposable
{
    readonly List<string> _isles = [];
    ICgroupDriver? _driver;

    protected ICgroupDriver Driver => _driver ??= CreateDriver();

    /// <summary>A driver with its own parent group, so that tests never meet each other's groups.</summary>
    protected abstract ICgroupDriver CreateDriver();

    /// <summary>A process that can join a group: real drivers start a <c>sleep</c>, the fake makes up a pid.</summary>
    protected abstract int StartProcess();

    /// <summary>Whether <paramref name="pid"/> is in the isle's group, asked of the kernel (or the fake's state), not of the driver.</summary>
    protected abstract bool IsInGroup(string isle, int pid);

    /// <summary>Whether <paramref name="pid"/> still runs (for the fake: was not killed).</summary>
    protected abstract bool IsRunning(int pid);

    /// <summary>
    /// Whether the isle's group denies a device outside Docker's list (reading /dev/kmsg, c 1:11), asked of the
    /// kernel (v1 devices.list) or of the fake's state (v2: the attached program, run), not of the driver.
    /// </summary>
    protected abstract bool RestrictsDevices(string isle);

    /// <summary>Deletes what is left (parent group, fake tree, processes) after the isles are deleted.</summary>
    protected virtual void Cleanup()
    {
    }

    /// <summary>The device policy of an ordinary isle, on both versions.</summary>
    protected static DevicePolicy Devices => DevicePolicy.Allowlist;

    protected string NewIsle(string name)
    {
        _isles.Add(name);
        return name;
    }

    public void Dispose()
    {
        try
        {
            // No driver means the test skipped (or failed) before making one: nothing to delete.
            if (_driver is not null)
                foreach (var isle in _isles)
                    _driver.DeleteAsync(isle, CancellationToken.None).GetAwaiter().GetResult();
        }
        finally
        {
            Cleanup();
            GC.SuppressFinalize(this);
        }
    }

    [Fact]
    public void Exists_BeforeCreate_False() => Assert.False(Driver.Exists(NewIsle("web"), TestContext.Current.CancellationToken));

    [Fact]
    public void Create_NewIsle_Exists()
    {
        var isle = NewIsle("web");
        Driver.Create(isle, new IsleResources { Memory = 64 << 20, Pids = 64 }, Devices, TestContext.Current.CancellationToken);
        Assert.True(Driver.Exists(isle, TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Create_Twice_IsIdempotent()
    {
        var isle = NewIsle("web");
        var r = new IsleResources { Memory = 64 << 20, CpuMillis = 500, Pids = 64 };
        Driver.Create(isle, r, Devices, TestContext.Current.CancellationToken);
        Driver.Create(isle, r, Devices, TestContext.Current.CancellationToken);
        Assert.True(Driver.Exists(isle, TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Create_AgainWithOtherLimits_UpdatesTheGroup()
    {
        var isle = NewIsle("web");
        Driver.Create(isle, new IsleResources { Memory = 64 << 20, CpuShares = 512 }, Devices, TestContext.Current.CancellationToken);
        Driver.Create(isle, new IsleResources { Memory = 32 << 20, CpuQuota = 20_000, CpuPeriod = 50_000 }, Devices, TestContext.Current.CancellationToken);
        Driver.Create(isle, new IsleResources { Memory = 128 << 20, Pids = 10 }, Devices, TestContext.Current.CancellationToken);
        Driver.Create(isle, new IsleResources(), Devices, TestContext.Current.CancellationToken);
        Assert.True(Driver.Exists(isle, TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Create_WithProcessInside_KeepsTheProcess()
    {
        var isle = NewIsle("web");
        Driver.Create(isle, new IsleResources { Memory = 64 << 20 }, Devices, TestContext.Current.CancellationToken);
        int pid = StartProcess();
        Driver.AddProcess(isle, pid, TestContext.Current.CancellationToken);
        Driver.Create(isle, new IsleResources { Memory = 96 << 20, Pids = 32 }, Devices, TestContext.Current.CancellationToken);
        Assert.True(IsInGroup(isle, pid));
    }

    [Fact]
    public void Update_WithProcessInside_NewLimitsSameProcessDevicesKept()
    {
        var isle = NewIsle("web");
        Driver.Create(isle, new IsleResources { Memory = 64 << 20, Pids = 32 }, Devices, TestContext.Current.CancellationToken);
        int pid = StartProcess();
        Driver.AddProcess(isle, pid, TestContext.Current.CancellationToken);

        Driver.Update(isle, new IsleResources { Memory = 96 << 20, Pids = 48, CpuMillis = 500 }, TestContext.Current.CancellationToken);

        var stats = Driver.Stats(isle, TestContext.Current.CancellationToken);
        Assert.Equal(96L << 20, stats.MemoryLimit);
        Assert.Equal(48, stats.PidsLimit);
        Assert.True(IsInGroup(isle, pid));
        Assert.True(IsRunning(pid));
        Assert.True(RestrictsDevices(isle));
    }

    [Fact]
    public void Update_LimitUnset_LiftsIt()
    {
        var isle = NewIsle("web");
        Driver.Create(isle, new IsleResources { Memory = 64 << 20 }, Devices, TestContext.Current.CancellationToken);

        Driver.Update(isle, new IsleResources(), TestContext.Current.CancellationToken);

        Assert.Null(Driver.Stats(isle, TestContext.Current.CancellationToken).MemoryLimit);
    }

    [Fact]
    public void Update_MissingGroup_ThrowsNotFoundAndMakesNone()
    {
        var isle = NewIsle("web");

        var e = Assert.Throws<CgroupException>(() => Driver.Update(isle, new IsleResources { Memory = 64 << 20 }, TestContext.Current.CancellationToken));

        Assert.Equal(ErrorCategory.NotFound, e.Category);
        Assert.False(Driver.Exists(isle, TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("")]
    [InlineData("..")]
    [InlineData("../etc")]
    [InlineData("a/b")]
    [InlineData(".hidden")]
    public void Create_NameThatIsNotADirectoryName_ThrowsInvalidManifest(string isle)
    {
        var e = Assert.Throws<CgroupException>(() => Driver.Create(isle, new IsleResources(), Devices, TestContext.Current.CancellationToken));
        Assert.Equal(ErrorCategory.InvalidManifest, e.Category);
    }

    [Fact]
    public void Create_CpuAndCpuQuotaTogether_ThrowsInvalidManifest()
    {
        var isle = NewIsle("web");
        var e = Assert.Throws<CgroupException>(() =>
            Driver.Create(isle, new IsleResources { CpuMillis = 500, CpuQuota = 50_000 }, Devices, TestContext.Current.CancellationToken));
        Assert.Equal(ErrorCategory.InvalidManifest, e.Category);
    }

    [Fact]
    public void Create_OomGroup_V2TakesIt_V1RefusesItAsUnsupportedAndMakesNoGroup()
    {
        var isle = NewIsle("web");
        var create = () => Driver.Create(isle, new IsleResources { OomGroup = true }, Devices, TestContext.Current.CancellationToken);

        if (Driver.Version == CgroupVersion.V1)
        {
            var e = Assert.Throws<CgroupException>(create);
            Assert.Equal(ErrorCategory.Unsupported, e.Category);
            Assert.Contains("oomGroup", e.Message);
            Assert.False(Driver.Exists(isle, TestContext.Current.CancellationToken));
        }
        else
        {
            create();
            Assert.True(Driver.Exists(isle, TestContext.Current.CancellationToken));
        }
    }

    [Fact]
    public void Create_DeviceAllowlist_RestrictsDevices()
    {
        var isle = NewIsle("web");
        Driver.Create(isle, new IsleResources(), DevicePolicy.Allowlist, TestContext.Current.CancellationToken);
        Assert.True(Driver.Exists(isle, TestContext.Current.CancellationToken));
        Assert.True(RestrictsDevices(isle));
    }

    [Fact]
    public void Create_AllowAllDevices_DoesNotRestrict()
    {
        var isle = NewIsle("privileged");
        Driver.Create(isle, new IsleResources(), DevicePolicy.AllowAll, TestContext.Current.CancellationToken);
        Assert.True(Driver.Exists(isle, TestContext.Current.CancellationToken));
        Assert.False(RestrictsDevices(isle));
    }

    [Fact]
    public void Create_AgainWithOtherDevicePolicy_ReplacesIt()
    {
        var isle = NewIsle("web");
        Driver.Create(isle, new IsleResources(), DevicePolicy.Allowlist, TestContext.Current.CancellationToken);
        Driver.Create(isle, new IsleResources(), DevicePolicy.Allowlist, TestContext.Current.CancellationToken);
        Assert.True(RestrictsDevices(isle));
        Driver.Create(isle, new IsleResources(), DevicePolicy.AllowAll, TestContext.Current.CancellationToken);
        Assert.False(RestrictsDevices(isle));
        Driver.Create(isle, new IsleResources(), DevicePolicy.Allowlist, TestContext.Current.CancellationToken);
        Assert.True(RestrictsDevices(isle));
    }

    [Fact]
    public void AddProcess_ExistingGroup_PutsThePidInIt()
    {
        var isle = NewIsle("web");
        Driver.Create(isle, new IsleResources { Pids = 16 }, Devices, TestContext.Current.CancellationToken);
        int pid = StartProcess();
        Driver.AddProcess(isle, pid, TestContext.Current.CancellationToken);
        Assert.True(IsInGroup(isle, pid));
        Driver.AddProcess(isle, pid, TestContext.Current.CancellationToken);
        Assert.True(IsInGroup(isle, pid));
    }

    [Fact]
    public void AddProcess_MissingGroup_ThrowsNotFound()
    {
        var e = Assert.Throws<CgroupException>(() => Driver.AddProcess(NewIsle("ghost"), StartProcess(), TestContext.Current.CancellationToken));
        Assert.Equal(ErrorCategory.NotFound, e.Category);
    }

    [Fact]
    public void AddProcess_PidZero_Throws()
    {
        var isle = NewIsle("web");
        Driver.Create(isle, new IsleResources(), Devices, TestContext.Current.CancellationToken);
        Assert.Throws<ArgumentOutOfRangeException>(() => Driver.AddProcess(isle, 0, TestContext.Current.CancellationToken));
    }

    [Fact]
    public void AddProcess_SecondIsle_MovesThePid()
    {
        var a = NewIsle("a");
        var b = NewIsle("b");
        Driver.Create(a, new IsleResources(), Devices, TestContext.Current.CancellationToken);
        Driver.Create(b, new IsleResources(), Devices, TestContext.Current.CancellationToken);
        int pid = StartProcess();
        Driver.AddProcess(a, pid, TestContext.Current.CancellationToken);
        Driver.AddProcess(b, pid, TestContext.Current.CancellationToken);
        Assert.False(IsInGroup(a, pid));
        Assert.True(IsInGroup(b, pid));
    }

    [Fact]
    public async Task Delete_MissingGroup_Succeeds()
    {
        await Driver.DeleteAsync(NewIsle("ghost"), TestContext.Current.CancellationToken);
        Assert.False(Driver.Exists("ghost", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Delete_ExistingGroup_RemovesIt()
    {
        var isle = NewIsle("web");
        Driver.Create(isle, new IsleResources { Memory = 64 << 20 }, Devices, TestContext.Current.CancellationToken);
        await Driver.DeleteAsync(isle, TestContext.Current.CancellationToken);
        Assert.False(Driver.Exists(isle, TestContext.Current.CancellationToken));
        await Driver.DeleteAsync(isle, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Delete_WithProcesses_KillsThem()
    {
        var isle = NewIsle("web");
        Driver.Create(isle, new IsleResources(), Devices, TestContext.Current.CancellationToken);
        int first = StartProcess(), second = StartProcess();
        Driver.AddProcess(isle, first, TestContext.Current.CancellationToken);
        Driver.AddProcess(isle, second, TestContext.Current.CancellationToken);

        await Driver.DeleteAsync(isle, TestContext.Current.CancellationToken);

        Assert.False(Driver.Exists(isle, TestContext.Current.CancellationToken));
        Assert.True(Eventually(() => !IsRunning(first) && !IsRunning(second)), "processes of a deleted isle still run");
    }

    [Fact]
    public async Task Freeze_GroupWithProcess_FrozenThenThawed()
    {
        var isle = NewIsle("web");
        Driver.Create(isle, new IsleResources(), Devices, TestContext.Current.CancellationToken);
        Driver.AddProcess(isle, StartProcess(), TestContext.Current.CancellationToken);

        await Driver.FreezeAsync(isle, true, TestContext.Current.CancellationToken);
        Assert.True(Driver.Frozen(isle, TestContext.Current.CancellationToken));
        await Driver.FreezeAsync(isle, true, TestContext.Current.CancellationToken); // idempotent
        await Driver.FreezeAsync(isle, false, TestContext.Current.CancellationToken);

        Assert.False(Driver.Frozen(isle, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Freeze_MissingGroup_ThrowsNotFound()
    {
        var e = await Assert.ThrowsAsync<CgroupException>(() => Driver.FreezeAsync(NewIsle("ghost"), true, TestContext.Current.CancellationToken));
        Assert.Equal(ErrorCategory.NotFound, e.Category);
        Assert.False(Driver.Frozen("ghost", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Delete_FrozenGroupWithProcess_KillsAndRemovesIt()
    {
        var isle = NewIsle("web");
        Driver.Create(isle, new IsleResources(), Devices, TestContext.Current.CancellationToken);
        int pid = StartProcess();
        Driver.AddProcess(isle, pid, TestContext.Current.CancellationToken);
        await Driver.FreezeAsync(isle, true, TestContext.Current.CancellationToken);

        await Driver.DeleteAsync(isle, TestContext.Current.CancellationToken);

        Assert.False(Driver.Exists(isle, TestContext.Current.CancellationToken));
        Assert.True(Eventually(() => !IsRunning(pid)), "the process of a deleted frozen isle still runs");
    }

    [Fact]
    public async Task Delete_OneIsle_LeavesTheOthers()
    {
        var a = NewIsle("a");
        var b = NewIsle("b");
        Driver.Create(a, new IsleResources(), Devices, TestContext.Current.CancellationToken);
        Driver.Create(b, new IsleResources(), Devices, TestContext.Current.CancellationToken);
        int pid = StartProcess();
        Driver.AddProcess(b, pid, TestContext.Current.CancellationToken);

        await Driver.DeleteAsync(a, TestContext.Current.CancellationToken);

        Assert.True(Driver.Exists(b, TestContext.Current.CancellationToken));
        Assert.True(IsRunning(pid));
    }

    [Fact]
    public void Stats_NewGroup_NoOomKills()
    {
        var isle = NewIsle("web");
        Driver.Create(isle, new IsleResources { Memory = 64 << 20 }, Devices, TestContext.Current.CancellationToken);
        Assert.Equal(0, Driver.Stats(isle, TestContext.Current.CancellationToken).OomKills);
    }

    [Fact]
    public void Stats_Limits_ReadBack()
    {
        var isle = NewIsle("web");
        Driver.Create(isle, new IsleResources { Memory = 64 << 20, Pids = 32 }, Devices, TestContext.Current.CancellationToken);

        var stats = Driver.Stats(isle, TestContext.Current.CancellationToken);

        Assert.Equal(64L << 20, stats.MemoryLimit);
        Assert.Equal(32, stats.PidsLimit);
    }

    [Fact]
    public void Stats_PidsUnset_LimitIsTheDefault2048()
    {
        var isle = NewIsle("web");
        Driver.Create(isle, new IsleResources(), Devices, TestContext.Current.CancellationToken);

        Assert.Equal(2048, Driver.Stats(isle, TestContext.Current.CancellationToken).PidsLimit);
    }

    [Fact]
    public void Stats_NoLimits_NullLimitsAndEmptyGroupCounters()
    {
        var isle = NewIsle("web");
        Driver.Create(isle, new IsleResources { Pids = 0 }, Devices, TestContext.Current.CancellationToken);

        var stats = Driver.Stats(isle, TestContext.Current.CancellationToken);

        Assert.Null(stats.MemoryLimit);
        Assert.Null(stats.PidsLimit);
        Assert.Equal(0, stats.Pids);
        Assert.True(stats.MemoryBytes >= 0, $"memory {stats.MemoryBytes}");
        Assert.True(stats.IoReadBytes >= 0 && stats.IoWriteBytes >= 0, $"io {stats.IoReadBytes}/{stats.IoWriteBytes}");
    }

    [Fact]
    public void Stats_MissingGroup_ThrowsNotFound()
    {
        var e = Assert.Throws<CgroupException>(() => Driver.Stats(NewIsle("ghost"), TestContext.Current.CancellationToken));
        Assert.Equal(ErrorCategory.NotFound, e.Category);
    }

    [Fact]
    public void Paths_AnyIsle_NameTheGroupAndTheOomCounter()
    {
        var paths = Driver.Paths("web");
        Assert.NotEmpty(paths.Directories);
        Assert.All(paths.Directories, d => Assert.EndsWith("/web", d));
        string expected = Driver.Version == CgroupVersion.V1 ? "memory.oom_control" : "memory.events";
        Assert.Equal(expected, Path.GetFileName(paths.OomEventsFile));
    }

    /// <summary>Polls for up to five seconds: a killed process is reaped by its parent a moment later.</summary>
    protected static bool Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                return false;
            Thread.Sleep(20);
        }
        return true;
    }
}
