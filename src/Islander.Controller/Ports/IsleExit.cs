namespace Islander.Controller.Ports;

/// <summary>
/// How an isle's process ended, as the shim recorded it. <see cref="Code"/> is set for a normal exit,
/// <see cref="Signal"/> for a death by signal; both null when the isle vanished without a record (its cgroup was
/// removed by hand, the machine rebooted).
/// </summary>
public sealed record IsleExit(int? Code, int? Signal, bool OomKilled, DateTimeOffset FinishedAt)
{
    /// <summary>
    /// Exit code 0, as Docker's on-failure and Kubernetes' OnFailure judge it: an init that exits 0 after the OOM killer
    /// killed one of its children succeeded (its reason still says OOMKilled).
    /// </summary>
    public bool Succeeded => Code == 0 && Signal is null && !Unhealthy;

    /// <summary>
    /// Islander stopped it because it turned unhealthy: a failure whatever the code, so OnFailure restarts it too
    /// (Kubernetes' liveness probe).
    /// </summary>
    public bool Unhealthy { get; init; }

    /// <summary>The exit code shells report: the code, or 128 + signal.</summary>
    public int? ShellCode => Code ?? (Signal is { } s ? 128 + s : null);

    public static IsleExit Lost(DateTimeOffset at) => new(null, null, false, at);

    public override string ToString() => (Unhealthy ? "stopped as unhealthy, then " : "") + (OomKilled, Signal, Code) switch
    {
        (true, 9, _) => "killed by the OOM killer",
        // The kernel killed another process of the isle (Docker still says OOMKilled); init went on and ended so.
        (true, { } s, _) => $"killed by signal {s} after the OOM killer killed a process of the isle",
        (true, _, { } c) => $"exited with code {c} after the OOM killer killed a process of the isle",
        (_, { } s, _) => $"killed by signal {s}",
        (_, _, { } c) => $"exited with code {c}",
        _ => "vanished without an exit status",
    };
}
