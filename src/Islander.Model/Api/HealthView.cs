namespace Islander.Model.Api;

/// <summary>
/// A running isle's health, as Docker's <c>State.Health</c>: <see cref="Status"/> <c>starting</c> (no verdict yet, or
/// within its start period), <c>healthy</c> or <c>unhealthy</c>; the failures in a row; the last results, oldest first.
/// Only isles with a healthcheck that run have one.
/// </summary>
public sealed record HealthView(string Status, int FailingStreak, IReadOnlyList<HealthResultView> Log)
{
    public const string Starting = "starting";
    public const string Healthy = "healthy";
    public const string Unhealthy = "unhealthy";
}
