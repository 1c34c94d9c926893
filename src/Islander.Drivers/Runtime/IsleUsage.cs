using Islander.Drivers.Cgroups;

namespace Islander.Drivers.Runtime;

/// <summary>What a running isle uses, read at <paramref name="Timestamp"/> (<see cref="IsleRuntime.Usage"/>).</summary>
/// <param name="Timestamp">When the counters were read: two samples' difference in <see cref="CgroupStats.CpuTime"/> over theirs is the CPU share.</param>
/// <param name="Cgroup">The isle's cgroup counters (memory, CPU time, tasks, block IO) and limits.</param>
/// <param name="NetworkRxBytes">Bytes received on the isle's interfaces but loopback; null for an isle on the host's network (its traffic is the host's).</param>
/// <param name="NetworkTxBytes">Bytes sent, likewise.</param>
/// <param name="HostMemoryBytes">The machine's memory (MemTotal): the ceiling of an isle without a memory limit.</param>
public sealed record IsleUsage(DateTimeOffset Timestamp, CgroupStats Cgroup, long? NetworkRxBytes, long? NetworkTxBytes, long HostMemoryBytes);
