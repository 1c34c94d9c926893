using Islander.Controller.Lifecycle;
using Islander.Model;

namespace Islander.Controller.State;

/// <summary>
/// Actual state of one isle as LiteDB stores it: what islander did and last saw. A cache, checked against the
/// kernel on every pass. The lifecycle machine reads and writes <see cref="State"/> here (external state storage).
/// </summary>
public sealed class IsleRecord
{
    /// <summary>The isle's name (LiteDB id).</summary>
    public string Name { get; set; } = "";
    public IslePhase State { get; set; } = IslePhase.Pending;

    /// <summary>Hash of the spec the isle was (last) started with; a different desired hash means recreate.</summary>
    public string? SpecHash { get; set; }
    /// <summary>
    /// That spec itself, as JSON (<see cref="Desired.SpecJson"/>), so an edit is classified field by field
    /// (<see cref="IsleSpecRules"/>); null in a record from an islanderd before the rule (any edit then recreates).
    /// </summary>
    public string? RunningSpec { get; set; }
    /// <summary>Generation of the desired object that spec came from (<c>status.observedGeneration</c>).</summary>
    public long Generation { get; set; }

    // What a stop and a restart decision need from the spec the isle runs with, which may no longer be the desired one.
    public RestartPolicy RestartPolicy { get; set; } = RestartPolicy.Always;
    public int StopSignal { get; set; } = 15;
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Stopped by the user (<c>islanderctl stop</c>), not by the controller on its way to a recreate: the isle stays
    /// Stopped, whatever its restart policy, until a start or a spec change. Persisted, so a daemon restart keeps it.
    /// </summary>
    public bool StoppedByUser { get; set; }

    public int? Pid { get; set; }
    public int? ShimPid { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public int? ExitCode { get; set; }
    public int? ExitSignal { get; set; }

    /// <summary>Machine-readable why: Completed, Error, OOMKilled, CrashLoopBackOff, StartFailed, InvalidManifest, ...</summary>
    public string? Reason { get; set; }
    public string? Message { get; set; }

    /// <summary>How many times islander started it again after it ended (Kubernetes' restartCount).</summary>
    public int RestartCount { get; set; }
    /// <summary>Consecutive short-lived runs: the exponent of the restart delay; reset after a long enough run.</summary>
    public int BackOffExponent { get; set; }
    /// <summary>In <see cref="IslePhase.BackOff"/>: not before this instant.</summary>
    public DateTimeOffset? NextStartAt { get; set; }

    /// <summary>network name → address, as the network driver assigned them.</summary>
    public Dictionary<string, string> Addresses { get; set; } = new();

    /// <summary>The image (config digest) the isle was last started from, for <c>image rm</c>'s in-use check; null for a rootfs isle.</summary>
    public string? ImageId { get; set; }

    internal object MemberwiseCloneCopy() => MemberwiseClone();
}
