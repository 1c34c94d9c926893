namespace Islander.Drivers.Cgroups;

/// <summary>Cheap counters of one isle's cgroup; a value is null when its controller (or file) is not available.</summary>
/// <param name="MemoryBytes">
/// Memory in use less the inactive file cache, as <c>docker stats</c> and cAdvisor's working set count it (the kernel can
/// drop that cache at once, so it is not what the isle needs): v1 memory.usage_in_bytes minus memory.stat's
/// total_inactive_file (hierarchical, like the usage), v2 memory.current minus memory.stat's inactive_file; never below 0.
/// </param>
/// <param name="CpuTime">CPU time used so far (v1 cpuacct.usage, v2 cpu.stat usage_usec).</param>
/// <param name="Pids">Tasks in the group now (pids.current).</param>
/// <param name="OomKills">Processes the kernel OOM-killed in the group (the <c>oom_kill</c> line).</param>
public sealed record CgroupStats(long? MemoryBytes, TimeSpan? CpuTime, long? Pids, long OomKills)
{
    /// <summary>The memory limit (v1 memory.limit_in_bytes, v2 memory.max); null when unlimited.</summary>
    public long? MemoryLimit { get; init; }

    /// <summary>The task limit (pids.max); null when unlimited ("max").</summary>
    public long? PidsLimit { get; init; }

    /// <summary>
    /// Bytes read from and written to block devices, summed over devices (v1 blkio.throttle.io_service_bytes_recursive
    /// Read and Write lines, as docker sums them; v2 io.stat rbytes and wbytes). Page-cache hits and writes not yet
    /// flushed do not count: this is device traffic.
    /// </summary>
    public long? IoReadBytes { get; init; }

    /// <inheritdoc cref="IoReadBytes"/>
    public long? IoWriteBytes { get; init; }
}
