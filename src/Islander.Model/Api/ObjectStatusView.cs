namespace Islander.Model.Api;

/// <summary>
/// An object's status; absent fields are left out. Every kind has phase, reason, message and problems (the manifest's
/// problems while its last good version stays); isles add observedGeneration to addresses and the ports a running isle publishes, networks bridge to isles
/// (the number attached), volumes driver to usedBy (the isles that mount it). A running isle with a healthcheck has its health. Sources add the revision fetched and
/// the one applied (<c>main@sha1:...</c>), the number of objects they own, and a Ready condition (Flux's).
/// </summary>
public sealed record ObjectStatusView(
    string? Phase = null,
    long? ObservedGeneration = null,
    int? Pid = null,
    int? ExitCode = null,
    int? ExitSignal = null,
    string? Reason = null,
    string? Message = null,
    int? RestartCount = null,
    DateTimeOffset? StartedAt = null,
    DateTimeOffset? FinishedAt = null,
    DateTimeOffset? NextStartAt = null,
    IReadOnlyDictionary<string, string>? Addresses = null,
    string? Bridge = null,
    string? Subnet = null,
    string? Gateway = null,
    int? Isles = null,
    string? Driver = null,
    string? Path = null,
    long? SizeLimit = null,
    long? BytesUsed = null,
    IReadOnlyList<string>? Snapshots = null,
    IReadOnlyList<string>? UsedBy = null,
    IReadOnlyList<string>? Problems = null,
    HealthView? Health = null,
    IReadOnlyList<PortView>? Ports = null,
    string? FetchedRevision = null,
    string? AppliedRevision = null,
    DateTimeOffset? LastFetchTime = null,
    int? Objects = null,
    IReadOnlyList<ConditionView>? Conditions = null);
