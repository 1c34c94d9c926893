using Islander.Drivers.Cgroups;
using Islander.Model;

namespace Islander.Drivers.Tests.Cgroups;

public class CgroupV1PlanTests
{
    static readonly CgroupCurrent Fresh = new() { SwapAccounting = true, ParentCpus = "0-1", ParentMems = "0" };

    static readonly Func<string, DeviceNumber> Disks = path => path switch
    {
        "/dev/vda" => new DeviceNumber(254, 0),
        "/dev/sdb" => new DeviceNumber(8, 16),
        _ => throw new CgroupException($"no device {path}", ErrorCategory.NotFound),
    };

    static List<string> Plan(IsleResources r, CgroupCurrent? current = null, DevicePolicy devices = DevicePolicy.AllowAll) =>
        CgroupV1Plan.For(r, devices, current ?? Fresh, Disks).Select(w => w.ToString()).ToList();

    static string? Value(IReadOnlyList<CgroupWrite> plan, string file) => plan.LastOrDefault(w => w.File == file)?.Value;

    [Fact]
    public void For_NothingSet_WritesDefaults()
    {
        var plan = CgroupV1Plan.For(new IsleResources(), DevicePolicy.AllowAll, Fresh, Disks);
        Assert.Equal(
        [
            "cpuset.cpus = 0-1", "cpuset.mems = 0",
            "memory.memsw.limit_in_bytes = -1", "memory.limit_in_bytes = -1",
            "cpu.shares = 1024", "cpu.cfs_period_us = 100000", "cpu.cfs_quota_us = -1",
            "pids.max = 2048",
            "devices.allow = a",
        ], plan.Select(w => w.ToString()));
        Assert.All(plan, w => Assert.True(w.Reset, $"{w} restores a default"));
    }

    [Fact]
    public void For_Memory64Mi_LimitInBytesAndMemswEqual()
    {
        var plan = CgroupV1Plan.For(new IsleResources { Memory = 64 << 20 }, DevicePolicy.AllowAll, Fresh, Disks);
        Assert.Equal("67108864", Value(plan, "memory.limit_in_bytes"));
        Assert.Equal("67108864", Value(plan, "memory.memsw.limit_in_bytes"));
        Assert.DoesNotContain(plan, w => w.Controller == CgroupController.Memory && w.Reset);
    }

    [Fact]
    public void For_MemoryLowered_LimitBeforeMemsw()
    {
        var plan = Plan(new IsleResources { Memory = 32 << 20 }, Fresh with { MemoryLimit = 64 << 20 });
        Assert.True(plan.IndexOf("memory.limit_in_bytes = 33554432") < plan.IndexOf("memory.memsw.limit_in_bytes = 33554432"));
    }

    [Fact]
    public void For_MemoryOnNewGroup_LimitBeforeMemsw()
    {
        var plan = Plan(new IsleResources { Memory = 32 << 20 });
        Assert.True(plan.IndexOf("memory.limit_in_bytes = 33554432") < plan.IndexOf("memory.memsw.limit_in_bytes = 33554432"));
    }

    [Fact]
    public void For_MemoryRaised_MemswBeforeLimit()
    {
        var plan = Plan(new IsleResources { Memory = 128 << 20 }, Fresh with { MemoryLimit = 64 << 20 });
        Assert.True(plan.IndexOf("memory.memsw.limit_in_bytes = 134217728") < plan.IndexOf("memory.limit_in_bytes = 134217728"));
    }

    [Fact]
    public void For_MemoryLifted_MemswBeforeLimit()
    {
        var plan = Plan(new IsleResources(), Fresh with { MemoryLimit = 64 << 20 });
        Assert.True(plan.IndexOf("memory.memsw.limit_in_bytes = -1") < plan.IndexOf("memory.limit_in_bytes = -1"));
    }

    [Fact]
    public void For_NoSwapAccounting_NoMemsw()
    {
        var plan = Plan(new IsleResources { Memory = 64 << 20 }, Fresh with { SwapAccounting = false });
        Assert.Contains("memory.limit_in_bytes = 67108864", plan);
        Assert.DoesNotContain(plan, w => w.StartsWith("memory.memsw", StringComparison.Ordinal));
    }

    [Fact]
    public void For_CpuMillis_PeriodThenQuota()
    {
        var plan = Plan(new IsleResources { CpuMillis = 500, CpuShares = 512 });
        int period = plan.IndexOf("cpu.cfs_period_us = 100000"), quota = plan.IndexOf("cpu.cfs_quota_us = 50000");
        Assert.True(period >= 0 && quota > period, string.Join("; ", plan));
        Assert.Contains("cpu.shares = 512", plan);
    }

    [Fact]
    public void For_RawQuotaAndPeriod_Written()
    {
        var plan = Plan(new IsleResources { CpuQuota = 25_000, CpuPeriod = 50_000 });
        Assert.Contains("cpu.cfs_period_us = 50000", plan);
        Assert.Contains("cpu.cfs_quota_us = 25000", plan);
    }

    [Fact]
    public void For_Cpuset_WrittenFirstWithParentsMems()
    {
        var plan = Plan(new IsleResources { Cpuset = "1", Memory = 1 << 20 });
        Assert.Equal(["cpuset.cpus = 1", "cpuset.mems = 0"], plan.Take(2));
    }

    [Fact]
    public void For_Pids_PidsMax() => Assert.Contains("pids.max = 20", Plan(new IsleResources { Pids = 20 }));

    [Fact]
    public void For_PidsUnset_PodmansDefaultSkippedWithoutTheController()
    {
        var write = Assert.Single(CgroupV1Plan.For(new IsleResources(), DevicePolicy.AllowAll, Fresh, Disks), w => w.File == "pids.max");

        Assert.Equal(new CgroupWrite(CgroupController.Pids, "pids.max", "2048", Reset: true), write);
    }

    [Fact]
    public void For_PidsZero_Max() => Assert.Contains("pids.max = max", Plan(new IsleResources { Pids = 0 }));

    [Fact]
    public void For_Io_OneLinePerFileAndDevice()
    {
        var plan = Plan(new IsleResources { Io = [new IoLimit("/dev/vda", ReadBps: 10 << 20, WriteIops: 100)] });
        Assert.Equal(
        [
            "blkio.throttle.read_bps_device = 254:0 10485760",
            "blkio.throttle.write_bps_device = 254:0 0",
            "blkio.throttle.read_iops_device = 254:0 0",
            "blkio.throttle.write_iops_device = 254:0 100",
        ], plan.Where(w => w.StartsWith("blkio", StringComparison.Ordinal)));
    }

    [Fact]
    public void For_IoNoLongerWanted_LiftedWithZero()
    {
        var plan = CgroupV1Plan.For(new IsleResources(), DevicePolicy.AllowAll,
            Fresh with { ThrottledDevices = [new DeviceNumber(8, 16)] }, Disks);
        var io = plan.Where(w => w.Controller == CgroupController.Io).ToList();
        Assert.Equal(4, io.Count);
        Assert.All(io, w => { Assert.Equal("8:16 0", w.Value); Assert.True(w.Reset); });
    }

    [Fact]
    public void For_IoDeviceThatDoesNotResolve_Throws() =>
        Assert.Throws<CgroupException>(() => Plan(new IsleResources { Io = [new IoLimit("/dev/nope", ReadBps: 1)] }));

    [Fact]
    public void For_DeviceAllowlist_DenyAllThenDockersList()
    {
        var devices = Plan(new IsleResources(), devices: DevicePolicy.Allowlist)
            .Where(w => w.StartsWith("devices.", StringComparison.Ordinal)).ToList();
        Assert.Equal("devices.deny = a", devices[0]);
        Assert.Equal(13, devices.Count);
        foreach (var rule in (string[])["c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm", "c 5:0 rwm",
                     "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm", "c *:* m", "b *:* m", "c 10:200 rwm"])
            Assert.Contains("devices.allow = " + rule, devices);
        Assert.DoesNotContain("devices.allow = a", devices);
    }

    [Fact]
    public void For_AllowAllDevices_NoDeny()
    {
        var plan = Plan(new IsleResources());
        Assert.Contains("devices.allow = a", plan);
        Assert.DoesNotContain(plan, w => w.StartsWith("devices.deny", StringComparison.Ordinal));
    }

    [Fact]
    public void For_OomGroup_UnsupportedNamingTheField()
    {
        var e = Assert.Throws<CgroupException>(() => CgroupV1Plan.For(new IsleResources { OomGroup = true }, DevicePolicy.AllowAll, Fresh, Disks));

        Assert.Equal(ErrorCategory.Unsupported, e.Category);
        Assert.StartsWith("resources.oomGroup needs cgroup v2 (memory.oom.group)", e.Message);
    }
}
