using Islander.Drivers.Cgroups;
using Islander.Model;

namespace Islander.Drivers.Tests.Cgroups;

public class CgroupV2PlanTests
{
    static readonly CgroupCurrent Fresh = new() { SwapAccounting = true };

    static readonly Func<string, DeviceNumber> Disks = path => path switch
    {
        "/dev/vda" => new DeviceNumber(254, 0),
        _ => throw new CgroupException($"no device {path}", ErrorCategory.NotFound),
    };

    static List<string> Plan(IsleResources r, CgroupCurrent? current = null) =>
        CgroupV2Plan.For(r, current ?? Fresh, Disks).Select(w => w.ToString()).ToList();

    [Fact]
    public void For_NothingSet_WritesDefaults()
    {
        var plan = CgroupV2Plan.For(new IsleResources(), Fresh, Disks);
        Assert.Equal(
        [
            "cpuset.cpus = ", "memory.max = max", "memory.swap.max = max", "memory.oom.group = 0",
            "cpu.weight = 100", "cpu.max = max 100000", "pids.max = 2048",
        ], plan.Select(w => w.ToString()));
        Assert.All(plan, w => Assert.True(w.Reset));
    }

    [Fact]
    public void For_Everything_Values()
    {
        var plan = Plan(new IsleResources
        {
            Memory = 64 << 20, CpuMillis = 500, CpuShares = 512, Cpuset = "0", Pids = 64,
            Io = [new IoLimit("/dev/vda", ReadBps: 10 << 20, WriteBps: 5 << 20)], OomGroup = true,
        });
        Assert.Equal(
        [
            "cpuset.cpus = 0", "memory.max = 67108864", "memory.swap.max = 0", "memory.oom.group = 1",
            "cpu.weight = 20", "cpu.max = 50000 100000", "pids.max = 64",
            "io.max = 254:0 rbps=10485760 wbps=5242880 riops=max wiops=max",
        ], plan);
    }

    [Fact]
    public void For_PidsUnset_SameDefaultAsV1()
    {
        var v2 = Assert.Single(CgroupV2Plan.For(new IsleResources(), Fresh, Disks), w => w.File == "pids.max");
        var v1 = Assert.Single(CgroupV1Plan.For(new IsleResources(), DevicePolicy.AllowAll, new CgroupCurrent(), Disks), w => w.File == "pids.max");

        Assert.Equal(v1, v2);
        Assert.Equal("2048", v2.Value);
    }

    [Fact]
    public void For_PidsZero_Max() => Assert.Contains("pids.max = max", Plan(new IsleResources { Pids = 0 }));

    [Fact]
    public void For_NoSwapAccounting_NoSwapMax() =>
        Assert.DoesNotContain(Plan(new IsleResources { Memory = 1 << 20 }, Fresh with { SwapAccounting = false }),
            w => w.StartsWith("memory.swap.max", StringComparison.Ordinal));

    [Fact]
    public void For_RawQuota_QuotaSpacePeriod() =>
        Assert.Contains("cpu.max = 20000 50000", Plan(new IsleResources { CpuQuota = 20_000, CpuPeriod = 50_000 }));

    [Fact]
    public void For_PeriodOnly_MaxSpacePeriod()
    {
        var write = CgroupV2Plan.For(new IsleResources { CpuPeriod = 50_000 }, Fresh, Disks).Single(w => w.File == "cpu.max");
        Assert.Equal("max 50000", write.Value);
        Assert.False(write.Reset);
    }

    [Fact]
    public void For_IoNoLongerWanted_LiftedWithMax()
    {
        var write = CgroupV2Plan.For(new IsleResources(), Fresh with { ThrottledDevices = [new DeviceNumber(8, 0)] }, Disks)
            .Single(w => w.File == "io.max");
        Assert.Equal("8:0 rbps=max wbps=max riops=max wiops=max", write.Value);
        Assert.True(write.Reset);
    }
}
