using Islander.Drivers.Cgroups;
using Islander.Model;

namespace Islander.Drivers.Tests.Cgroups;

public class CgroupCpuTests
{
    [Theory]
    [InlineData(2, 1)]
    [InlineData(1024, 39)]
    [InlineData(512, 20)]
    [InlineData(262144, 10000)]
    [InlineData(1, 1)]          // below the v1 minimum: clamped to 2
    [InlineData(1_000_000, 10000)]
    [InlineData(0, 100)]        // unset
    public void SharesToWeight_RuncFormula(long shares, long weight) =>
        Assert.Equal(weight, CgroupCpu.SharesToWeight(shares));

    [Fact]
    public void Bandwidth_Nothing_UnlimitedDefaultPeriod() =>
        Assert.Equal((null, 100_000L), CgroupCpu.Bandwidth(new IsleResources()));

    [Theory]
    [InlineData(500, null, 50_000, 100_000)]
    [InlineData(1500, null, 150_000, 100_000)]
    [InlineData(250, 200_000L, 50_000, 200_000)]
    [InlineData(1, null, 1_000, 100_000)] // 100µs is below the kernel's 1ms minimum
    public void Bandwidth_Millis_QuotaIsMillisTimesPeriod(long millis, long? period, long quota, long expectedPeriod) =>
        Assert.Equal((quota, expectedPeriod), CgroupCpu.Bandwidth(new IsleResources { CpuMillis = millis, CpuPeriod = period }));

    [Fact]
    public void Bandwidth_RawQuota_Kept() =>
        Assert.Equal((20_000L, 50_000L), CgroupCpu.Bandwidth(new IsleResources { CpuQuota = 20_000, CpuPeriod = 50_000 }));

    [Fact]
    public void Bandwidth_BothForms_InvalidManifest()
    {
        var e = Assert.Throws<CgroupException>(() => CgroupCpu.Bandwidth(new IsleResources { CpuMillis = 500, CpuQuota = 1000 }));
        Assert.Equal(ErrorCategory.InvalidManifest, e.Category);
    }

    [Theory]
    [InlineData(999)]
    [InlineData(1_000_001)]
    public void Bandwidth_PeriodOutOfRange_InvalidManifest(long period)
    {
        var e = Assert.Throws<CgroupException>(() => CgroupCpu.Bandwidth(new IsleResources { CpuPeriod = period }));
        Assert.Equal(ErrorCategory.InvalidManifest, e.Category);
    }
}
