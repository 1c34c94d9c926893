using Islander.Model;

namespace Islander.Drivers.Cgroups;

/// <summary>CPU value conversions shared by the v1 and v2 plans.</summary>
public static class CgroupCpu
{
    /// <summary>The CFS period when none is given, in µs (the kernel's and Docker's default).</summary>
    public const long DefaultPeriod = 100_000;

    /// <summary>The kernel refuses quotas below 1 ms (kernel/sched/core.c, min_cfs_quota_period); kubelet clamps the same way.</summary>
    public const long MinQuota = 1_000;

    /// <summary>cpu.shares of a group that asks for nothing; cpu.weight 100 on v2.</summary>
    public const long DefaultShares = 1024;

    public const long DefaultWeight = 100;

    /// <summary>
    /// The CFS bandwidth of <paramref name="r"/>: quota (null = unlimited) and period, both in µs.
    /// <see cref="IsleResources.CpuMillis"/> becomes quota = millis × period / 1000.
    /// </summary>
    /// <exception cref="CgroupException">InvalidManifest: both cpu and cpuQuota given, or a period outside 1 ms..1 s.</exception>
    public static (long? Quota, long Period) Bandwidth(IsleResources r)
    {
        long period = r.CpuPeriod ?? DefaultPeriod;
        if (period is < 1_000 or > 1_000_000)
            throw new CgroupException($"cpuPeriod {period}µs is outside 1000..1000000", ErrorCategory.InvalidManifest);
        if (r.CpuQuota is > 0 && r.CpuMillis is > 0)
            throw new CgroupException("cpu and cpuQuota are two forms of the same limit: give one", ErrorCategory.InvalidManifest);

        long? quota = null;
        if (r.CpuQuota is > 0 and var q)
            quota = q;
        else if (r.CpuMillis is > 0 and var millis)
            quota = millis * period / 1000;
        return (quota is null ? null : Math.Max(quota.Value, MinQuota), period);
    }

    /// <summary>
    /// v1 cpu.shares (2..262144) to v2 cpu.weight (1..10000), the linear map runc uses
    /// (ConvertCPUSharesToCgroupV2Value): 2 → 1, 1024 → 39, 262144 → 10000. Shares 0 means "not set": weight 100.
    /// </summary>
    public static long SharesToWeight(long shares) =>
        shares == 0 ? DefaultWeight : 1 + ((Math.Clamp(shares, 2, 262_144) - 2) * 9999) / 262_142;
}
