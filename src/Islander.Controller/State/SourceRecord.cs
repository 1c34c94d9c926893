namespace Islander.Controller.State;

/// <summary>
/// What islanderd knows of a Source: the revision it fetched last, the one it applied, and its Ready condition.
/// Persisted, so a restart shows what runs and does not apply the same revision again.
/// </summary>
public sealed class SourceRecord
{
    public string Name { get; set; } = "";
    /// <summary><c>main@sha1:...</c> of the last successful fetch.</summary>
    public string? FetchedRevision { get; set; }
    public DateTimeOffset? FetchedAt { get; set; }
    /// <summary>The revision whose objects are desired now.</summary>
    public string? AppliedRevision { get; set; }
    public DateTimeOffset? AppliedAt { get; set; }
    /// <summary>The last revision loaded (applied or refused): the same one is not loaded again until the spec changes.</summary>
    public string? AttemptedRevision { get; set; }
    /// <summary>The source's spec (its content hash) at the last attempt.</summary>
    public string? AttemptedSpec { get; set; }
    /// <summary>The applied revision's tree, which isles may mount files from: kept until another revision is applied.</summary>
    public string? AppliedTree { get; set; }
    /// <summary>The last spec's prune: what happens to its objects when the Source itself goes.</summary>
    public bool Prune { get; set; } = true;
    public bool Ready { get; set; }
    public string Reason { get; set; } = "";
    public string Message { get; set; } = "";
    /// <summary>When Ready last changed (the condition's lastTransitionTime).</summary>
    public DateTimeOffset? TransitionAt { get; set; }
    /// <summary>When the last fetch was attempted, successful or not: the next is due an interval later.</summary>
    public DateTimeOffset? AttemptedAt { get; set; }

    public SourceRecord Clone() => (SourceRecord)MemberwiseClone();
}
