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
                    _driver.Delete(isle);
        }
        finally
        {
            Cleanup();
            GC.SuppressFinalize(this);
        }
    }

    [Fact]
    public void Exists_BeforeCreate_False() => Assert.False(Driver.Exists(NewIsle("web")));

    [Fact]
    public void Create_NewIsle_Exists()
    {
        var isle = NewIsle("web");
        Driver.Create(isle, new IsleResources { Memory = 64 << 20, Pids = 64 }, Devices);
        Assert.True(Driver.Exists(isle));
    }

    [Fact]
    public void Create_Twice_IsIdempotent()
    {
        var isle = NewIsle("web");
        var r = new IsleResources { Memory = 64 << 20, CpuMillis = 500, Pids = 64 };
        Driver.Create(isle, r, Devices);
        Driver.Create(isle, r, Devices);
        Assert.True(Driver.Exists(isle));
    }

    [Fact]
    public void Create_AgainWithOtherLimits_UpdatesTheGroup()
    {
        var isle = NewIsle("web");
        Driver.Create(isle, new IsleResources { Memory = 64 << 20, CpuShares = 512 }, Devices);
        Driver.Create(isle, new IsleResources { Memory = 32 << 20, CpuQuota = 20_000, CpuPeriod = 50_000 }, Devices);
        Driver.Create(isle, new IsleResources { Memory = 128 << 20, Pids = 10 }, Devices);
        Driver.Create(isle, new IsleResources(), Devices);
        Assert.True(Driver.Exists(isle));
    }

    [Fact]
    public void Create_WithProcessInside_KeepsTheProcess()
    {
        var isle = NewIsle("web");
        Driver.Create(isle, new IsleResources { Memory = 64 << 20 }, Devices);
        int pid = StartProcess();
        Driver.AddProcess(isle, pid);
        Driver.Create(isle, new IsleResources { Memory = 96 << 20, Pids = 32 }, Devices);
        Assert.True(IsInGroup(isle, pid));
    }

    [Theory]
    [InlineData("")]
    [InlineData("..")]
    [InlineData("../etc")]
    [InlineData("a/b")]
    [InlineData(".hidden")]
    public void Create_NameThatIsNotADirectoryName_ThrowsInvalidManifest(string isle)
    {
        var e = Assert.Throws<CgroupException>(() => Driver.Create(isle, new IsleResources(), Devices));
        Assert.Equal(ErrorCategory.InvalidManifest, e.Category);
    }

    [Fact]
    public void Create_CpuAndCpuQuotaTogether_ThrowsInvalidManifest()
    {
        var isle = NewIsle("web");
        var e = Assert.Throws<CgroupException>(() =>
            Driver.Create(isle, new IsleResources { CpuMillis = 500, CpuQuota = 50_000 }, Devices));
        Assert.Equal(ErrorCategory.InvalidManifest, e.Category);
    }

    [Fact]
    public void Create_DeviceAllowlist_RestrictsDevices()
    {
        var isle = NewIsle("web");
        Driver.Create(isle, new IsleResources(), DevicePolicy.Allowlist);
        Assert.True(Driver.Exists(isle));
        Assert.True(RestrictsDevices(isle));
    }

    [Fact]
    public void Create_AllowAllDevices_DoesNotRestrict()
    {
        var isle = NewIsle("privileged");
        Driver.Create(isle, new IsleResources(), DevicePolicy.AllowAll);
        Assert.True(Driver.Exists(isle));
        Assert.False(RestrictsDevices(isle));
    }

    [Fact]
    public void Create_AgainWithOtherDevicePolicy_ReplacesIt()
    {
        var isle = NewIsle("web");
        Driver.Create(isle, new IsleResources(), DevicePolicy.Allowlist);
        Driver.Create(isle, new IsleResources(), DevicePolicy.Allowlist);
        Assert.True(RestrictsDevices(isle));
        Driver.Create(isle, new IsleResources(), DevicePolicy.AllowAll);
        Assert.False(RestrictsDevices(isle));
        Driver.Create(isle, new IsleResources(), DevicePolicy.Allowlist);
        Assert.True(RestrictsDevices(isle));
    }

    [Fact]
    public void AddProcess_ExistingGroup_PutsThePidInIt()
    {
        var isle = NewIsle("web");
        Driver.Create(isle, new IsleResources { Pids = 16 }, Devices);
        int pid = StartProcess();
        Driver.AddProcess(isle, pid);
        Assert.True(IsInGroup(isle, pid));
        Driver.AddProcess(isle, pid);
        Assert.True(IsInGroup(isle, pid));
    }

    [Fact]
    public void AddProcess_MissingGroup_ThrowsNotFound()
    {
        var e = Assert.Throws<CgroupException>(() => Driver.AddProcess(NewIsle("ghost"), StartProcess()));
        Assert.Equal(ErrorCategory.NotFound, e.Category);
    }

    [Fact]
    public void AddProcess_PidZero_Throws()
    {
        var isle = NewIsle("web");
        Driver.Create(isle, new IsleResources(), Devices);
        Assert.Throws<ArgumentOutOfRangeException>(() => Driver.AddProcess(isle, 0));
    }

    [Fact]
    public void AddProcess_SecondIsle_MovesThePid()
    {
        var a = NewIsle("a");
        var b = NewIsle("b");
        Driver.Create(a, new IsleResources(), Devices);
        Driver.Create(b, new IsleResources(), Devices);
        int pid = StartProcess();
        Driver.AddProcess(a, pid);
        Driver.AddProcess(b, pid);
        Assert.False(IsInGroup(a, pid));
        Assert.True(IsInGroup(b, pid));
    }

    [Fact]
    public void Delete_MissingGroup_Succeeds()
    {
        Driver.Delete(NewIsle("ghost"));
        Assert.False(Driver.Exists("ghost"));
    }

    [Fact]
    public void Delete_ExistingGroup_RemovesIt()
    {
        var isle = NewIsle("web");
        Driver.Create(isle, new IsleResources { Memory = 64 << 20 }, Devices);
        Driver.Delete(isle);
        Assert.False(Driver.Exists(isle));
        Driver.Delete(isle);
    }

    [Fact]
    public void Delete_WithProcesses_KillsThem()
    {
        var isle = NewIsle("web");
        Driver.Create(isle, new IsleResources(), Devices);
        int first = StartProcess(), second = StartProcess();
        Driver.AddProcess(isle, first);
        Driver.AddProcess(isle, second);

        Driver.Delete(isle);

        Assert.False(Driver.Exists(isle));
        Assert.True(Eventually(() => !IsRunning(first) && !IsRunning(second)), "processes of a deleted isle still run");
    }

    [Fact]
    public void Delete_OneIsle_LeavesTheOthers()
    {
        var a = NewIsle("a");
        var b = NewIsle("b");
        Driver.Create(a, new IsleResources(), Devices);
        Driver.Create(b, new IsleResources(), Devices);
        int pid = StartProcess();
        Driver.AddProcess(b, pid);

        Driver.Delete(a);

        Assert.True(Driver.Exists(b));
        Assert.True(IsRunning(pid));
    }

    [Fact]
    public void Stats_NewGroup_NoOomKills()
    {
        var isle = NewIsle("web");
        Driver.Create(isle, new IsleResources { Memory = 64 << 20 }, Devices);
        Assert.Equal(0, Driver.Stats(isle).OomKills);
    }

    [Fact]
    public void Stats_Limits_ReadBack()
    {
        var isle = NewIsle("web");
        Driver.Create(isle, new IsleResources { Memory = 64 << 20, Pids = 32 }, Devices);

        var stats = Driver.Stats(isle);

        Assert.Equal(64L << 20, stats.MemoryLimit);
        Assert.Equal(32, stats.PidsLimit);
    }

    [Fact]
    public void Stats_PidsUnset_LimitIsTheDefault2048()
    {
        var isle = NewIsle("web");
        Driver.Create(isle, new IsleResources(), Devices);

        Assert.Equal(2048, Driver.Stats(isle).PidsLimit);
    }

    [Fact]
    public void Stats_NoLimits_NullLimitsAndEmptyGroupCounters()
    {
        var isle = NewIsle("web");
        Driver.Create(isle, new IsleResources { Pids = 0 }, Devices);

        var stats = Driver.Stats(isle);

        Assert.Null(stats.MemoryLimit);
        Assert.Null(stats.PidsLimit);
        Assert.Equal(0, stats.Pids);
        Assert.True(stats.MemoryBytes >= 0, $"memory {stats.MemoryBytes}");
        Assert.True(stats.IoReadBytes >= 0 && stats.IoWriteBytes >= 0, $"io {stats.IoReadBytes}/{stats.IoWriteBytes}");
    }

    [Fact]
    public void Stats_MissingGroup_ThrowsNotFound()
    {
        var e = Assert.Throws<CgroupException>(() => Driver.Stats(NewIsle("ghost")));
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
