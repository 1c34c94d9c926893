namespace Islander.Model;

/// <summary>
/// An isle's <c>update</c>: how a spec change is rolled out. The new generation must prove itself within
/// <see cref="HealthTimeout"/>: healthy by its healthcheck, or, without one, running for <see cref="MinHealthyTime"/>
/// without an exit. If it does not (a crash loop, failed checks, an image that cannot be pulled), islanderd stops it,
/// puts back the volume snapshots it took just before the update (<see cref="SnapshotVolumes"/>) and starts the last
/// good generation again, when <see cref="Rollback"/>; the failed generation is not tried again until the manifest
/// changes. Nomad's <c>auto_revert</c> with <c>healthy_deadline</c> and <c>min_healthy_time</c>, with the data too.
/// </summary>
/// <remarks>
/// Read by the daemon only (a change is applied in place: <see cref="IsleSpecRules"/>); null: a spec change is
/// applied as before, with no health gate.
/// </remarks>
public sealed record IsleUpdate
{
    public static readonly TimeSpan DefaultHealthTimeout = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan DefaultMinHealthyTime = TimeSpan.FromSeconds(10);

    /// <summary>How long the new generation has to become healthy (or to run for <see cref="MinHealthyTime"/>).</summary>
    public TimeSpan HealthTimeout { get; init; } = DefaultHealthTimeout;

    /// <summary>Whether a generation that did not become healthy in time is replaced by the last good one; false: it stays, recorded Failed.</summary>
    public bool Rollback { get; init; } = true;

    /// <summary>Whether the named volumes (dir, btrfs) are snapshotted just before the update and restored by a rollback.</summary>
    public bool SnapshotVolumes { get; init; }

    /// <summary>Without a healthcheck: how long the new generation must run without exiting to count as good.</summary>
    public TimeSpan MinHealthyTime { get; init; } = DefaultMinHealthyTime;
}
