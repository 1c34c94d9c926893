using Islander.Model;
using Islander.Model.Api;

namespace Islander.Controller.Health;

/// <summary>
/// What the checks of one run of an isle have said so far: the status, the failures in a row, the last results. Pure:
/// <see cref="After"/> is the whole rule (Docker's): a pass makes it healthy and ends the streak; a failure adds to the
/// streak, and <see cref="IsleHealthCheck.Retries"/> in a row make it unhealthy; while it has never been healthy, a failure
/// within <see cref="IsleHealthCheck.StartPeriod"/> of the isle's start is logged but not counted.
/// </summary>
public sealed record HealthState(string Status, int FailingStreak, IReadOnlyList<HealthResultView> Log, bool WasHealthy)
{
    /// <summary>The results kept (Docker keeps 5).</summary>
    public const int LogLength = 5;

    public static HealthState Initial { get; } = new(HealthView.Starting, 0, [], false);

    public HealthState After(HealthResultView result, IsleHealthCheck check, DateTimeOffset isleStartedAt)
    {
        var log = Log.Count < LogLength ? [.. Log, result] : Log.Skip(Log.Count - LogLength + 1).Append(result).ToList();
        if (result.Passed)
            return new HealthState(HealthView.Healthy, 0, log, true);
        if (!WasHealthy && result.Start - isleStartedAt < check.StartPeriod)
            return this with { Log = log };
        var streak = FailingStreak + 1;
        return new HealthState(streak >= check.Retries ? HealthView.Unhealthy : Status, streak, log, WasHealthy);
    }

    public HealthView View() => new(Status, FailingStreak, Log);
}
