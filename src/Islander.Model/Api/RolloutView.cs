using System.Text.Json;

namespace Islander.Model.Api;

/// <summary>
/// One revision of an isle (<c>GET isles/{name}/rollouts</c>, <c>islanderctl rollout history</c>): the generation of the
/// manifest it came from, when it started and ended, its result (Progressing, Complete, RolledBack, Failed, Superseded)
/// with why, what changed from the revision before, and the spec itself (what <c>rollout undo</c> applies).
/// <see cref="Current"/>: the revision the isle runs now.
/// </summary>
public sealed record RolloutView(int Revision, long Generation, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string Result,
    string? Reason, string? Message, string ChangeCause, bool Current, JsonElement Spec);
