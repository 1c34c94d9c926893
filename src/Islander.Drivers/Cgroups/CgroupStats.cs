namespace Islander.Drivers.Cgroups;

/// <summary>Cheap counters of one isle's cgroup; a value is null when its controller is not available.</summary>
/// <param name="MemoryBytes">Current usage (v1 memory.usage_in_bytes, v2 memory.current).</param>
/// <param name="CpuTime">CPU time used so far (v1 cpuacct.usage, v2 cpu.stat usage_usec).</param>
/// <param name="Pids">Tasks in the group now (pids.current).</param>
/// <param name="OomKills">Processes the kernel OOM-killed in the group (the <c>oom_kill</c> line).</param>
public sealed record CgroupStats(long? MemoryBytes, TimeSpan? CpuTime, long? Pids, long OomKills);
