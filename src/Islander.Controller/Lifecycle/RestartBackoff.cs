namespace Islander.Controller.Lifecycle;

/// <summary>
/// Delay before restarting an isle that ended: none for the first restart (a killed isle is back at
/// once), then <see cref="Base"/> doubling per consecutive restart up to <see cref="Max"/>, reset once a
/// run lasted <see cref="ResetAfter"/>. Kubernetes' kubelet uses 10 s doubling
/// to 5 min, reset after 10 min of running; those are the defaults. islanderd's <c>--restart-backoff</c> sets
/// <see cref="Base"/> (the API tests use 50 ms, so a crash loop is visible in milliseconds).
/// </summary>
public sealed record RestartBackoff
{
    public TimeSpan Base { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan Max { get; init; } = TimeSpan.FromMinutes(5);
    public TimeSpan ResetAfter { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The delay before restart number <paramref name="exponent"/> + 1: zero, then Base * 2^(exponent - 1), at most Max.</summary>
    public TimeSpan Delay(int exponent) =>
        exponent <= 0 ? TimeSpan.Zero : ExponentialBackoff.Delay(Base, Max, exponent - 1);
}
