namespace Islander.Controller.State;

/// <summary>
/// One revision of an isle, as LiteDB keeps it (<c>islanderctl rollout history</c>): a spec the isle was started with
/// (or updated to in place), when, why, and how it ended. A health-gated rollout (<c>spec.update</c>) also holds the
/// last good spec it replaces and the volume snapshots taken just before it, which a rollback puts back.
/// </summary>
public sealed class RolloutRecord
{
    /// <summary><c>ISLE/REVISION</c> (LiteDB id).</summary>
    public string Id { get; set; } = "";
    public string Isle { get; set; } = "";
    /// <summary>1, 2, ... per isle, never reused while the isle exists.</summary>
    public int Revision { get; set; }
    /// <summary>The desired object's generation this spec came from.</summary>
    public long Generation { get; set; }
    /// <summary>The spec, as <see cref="Desired.SpecJson"/> writes it.</summary>
    public string SpecJson { get; set; } = "";
    public string SpecHash { get; set; } = "";
    /// <summary>What changed from the revision before (the fields, as <c>islanderctl diff</c> names them), or "created".</summary>
    public string ChangeCause { get; set; } = "";
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    /// <summary>A gated rollout: it must be healthy before this instant.</summary>
    public DateTimeOffset? Deadline { get; set; }
    /// <summary><see cref="RolloutResult"/>'s names.</summary>
    public string Result { get; set; } = RolloutResult.Complete;
    /// <summary>Why it failed or was rolled back (CrashLoopBackOff, Unhealthy, ImagePullFailed, ...); null when Complete.</summary>
    public string? Reason { get; set; }
    public string? Message { get; set; }

    // The last good generation a gated rollout replaces: what a rollback starts again.
    public string? PreviousSpecJson { get; set; }
    public string? PreviousSpecHash { get; set; }
    public long PreviousGeneration { get; set; }
    public int PreviousRevision { get; set; }

    /// <summary>volume → snapshot taken just before the new generation started (<c>update.snapshotVolumes</c>).</summary>
    public Dictionary<string, string> Snapshots { get; set; } = new();

    public RolloutRecord Clone()
    {
        var c = (RolloutRecord)MemberwiseClone();
        c.Snapshots = new Dictionary<string, string>(Snapshots);
        return c;
    }
}

/// <summary>How a revision ended.</summary>
public static class RolloutResult
{
    /// <summary>Gated, not yet healthy, before its deadline.</summary>
    public const string Progressing = "Progressing";
    /// <summary>Running as desired (healthy, when gated).</summary>
    public const string Complete = "Complete";
    /// <summary>Not healthy in time; the last good generation runs again, with its volumes' data.</summary>
    public const string RolledBack = "RolledBack";
    /// <summary>Not healthy in time, and <c>rollback: false</c>: it stays as it is.</summary>
    public const string Failed = "Failed";
    /// <summary>The manifest changed again before it became healthy.</summary>
    public const string Superseded = "Superseded";
}
