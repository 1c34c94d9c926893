namespace Islander.Controller.Lifecycle;

/// <summary>
/// The one back-off calculation: a base delay doubling per step up to a ceiling. An isle's restart delay
/// (<see cref="RestartBackoff"/>) and the reconcile queue's per-key retry delay both use it, with their own base and
/// ceiling.
/// </summary>
public static class ExponentialBackoff
{
    /// <summary><paramref name="baseDelay"/> * 2^<paramref name="doublings"/>, at most <paramref name="max"/>; no doubling below zero.</summary>
    public static TimeSpan Delay(TimeSpan baseDelay, TimeSpan max, int doublings)
    {
        // 2^62 base ticks is past any ceiling a TimeSpan can hold: capping the exponent keeps the double finite.
        double ticks = baseDelay.Ticks * Math.Pow(2, Math.Clamp(doublings, 0, 62));
        return ticks >= max.Ticks ? max : TimeSpan.FromTicks((long)ticks);
    }
}
