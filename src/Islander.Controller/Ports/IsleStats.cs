namespace Islander.Controller.Ports;

/// <summary>
/// One sample of a running isle's counters (<see cref="IIsleStats.Read"/>). Counters are cumulative since the isle's
/// start (CPU, IO); a rate is the difference of two samples over the difference of their <see cref="Timestamp"/>s.
/// A null value is one this host cannot read (its cgroup controller is missing; no network of its own).
/// </summary>
/// <param name="Timestamp">When the counters were read.</param>
/// <param name="CpuNanoseconds">CPU time used, all cores together.</param>
/// <param name="MemoryBytes">Memory in use less the inactive file cache (docker's and cAdvisor's working set).</param>
/// <param name="MemoryLimitBytes">The isle's memory limit; null when it has none.</param>
/// <param name="MachineMemoryBytes">The machine's memory: the ceiling of an isle without a limit.</param>
/// <param name="Pids">Tasks (processes and threads) in the isle.</param>
/// <param name="PidsLimit">The isle's task limit; null when it has none.</param>
/// <param name="BlockReadBytes">Bytes read from block devices.</param>
/// <param name="BlockWriteBytes">Bytes written to block devices.</param>
/// <param name="NetworkRxBytes">Bytes received on its interfaces (loopback aside); null on the host's network.</param>
/// <param name="NetworkTxBytes">Bytes sent, likewise.</param>
public sealed record IsleStats(
    DateTimeOffset Timestamp,
    long? CpuNanoseconds = null,
    long? MemoryBytes = null,
    long? MemoryLimitBytes = null,
    long MachineMemoryBytes = 0,
    long? Pids = null,
    long? PidsLimit = null,
    long? BlockReadBytes = null,
    long? BlockWriteBytes = null,
    long? NetworkRxBytes = null,
    long? NetworkTxBytes = null);
