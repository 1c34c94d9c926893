namespace Islander.Controller.Ports;

/// <summary>
/// How an isle's process ended, as the shim recorded it. <see cref="Code"/> is set for a normal exit,
/// <see cref="Signal"/> for a death by signal; both null when the isle vanished without a record (its cgroup was
/// removed by hand, the machine rebooted).
/// </summary>
public sealed record IsleExit(int? Code, int? Signal, bool OomKilled, DateTimeOffset FinishedAt)
{
    public bool Succeeded => Code == 0 && Signal is null && !OomKilled;

    /// <summary>The exit code shells report: the code, or 128 + signal.</summary>
    public int? ShellCode => Code ?? (Signal is { } s ? 128 + s : null);

    public static IsleExit Lost(DateTimeOffset at) => new(null, null, false, at);

    public override string ToString() => OomKilled ? "killed by the OOM killer"
        : Signal is { } s ? $"killed by signal {s}"
        : Code is { } c ? $"exited with code {c}"
        : "vanished without an exit status";
}
