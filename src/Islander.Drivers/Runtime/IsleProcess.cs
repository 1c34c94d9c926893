namespace Islander.Drivers.Runtime;

/// <summary>
/// A started isle: the host pid of its init (the isle's PID 1) and of its shim. The start times
/// (clock ticks after boot, /proc/PID/stat field 22) tell these processes from later ones that
/// reuse the pids, so a record kept across a daemon restart is still safe to signal; 0 = unknown.
/// </summary>
public sealed record IsleProcess(int InitPid, int ShimPid, DateTimeOffset StartedAt)
{
    public ulong InitStartTime { get; init; }
    public ulong ShimStartTime { get; init; }
}
