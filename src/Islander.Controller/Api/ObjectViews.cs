using System.Text.Json;
using System.Text.Json.Nodes;
using Islander.Controller.Desired;
using Islander.Controller.State;
using Islander.Model;
using Islander.Model.Api;

namespace Islander.Controller.Api;

/// <summary>
/// The API's views of the daemon's state (docs/architecture.md, "The API and its objects"), as the Model's typed records that islanderctl reads:
/// the wire format is written down once, in Islander.Model.Api.
/// </summary>
public static class ObjectViews
{
    public static ObjectView Object(DesiredEntry? entry, IsleRecord? record, ObjectKey key, NetworkRecord? network = null, VolumeRecord? volume = null,
        HealthView? health = null, SourceRecord? source = null, int? owned = null, Reconcile.StartupCheck.Ended? ended = null) => new(
        ApiJson.ApiVersion,
        key.Kind.ToString(),
        Metadata(entry, key),
        entry?.Object?.SpecElement ?? EmptySpec,
        key.Kind == ObjectKind.Isle ? IsleStatus(entry, record, ended) with { Health = health } : network is not null ? NetworkStatus(entry, network)
            : volume is not null ? VolumeStatus(entry, volume) : source is not null ? SourceStatus(entry, source, owned)
            : WithProblems(new ObjectStatusView(Phase: Phase(entry)), entry));

    /// <summary>
    /// A deleted isle's last view, for the watch's DELETED line: <paramref name="last"/> (what the watch sent last) with
    /// the status of its <paramref name="record"/> as last committed, which may be newer (its exit, committed just
    /// before the deletion).
    /// </summary>
    public static ObjectView Deleted(ObjectView last, IsleRecord record) => last with { Status = IsleStatus(null, record, null) };

    /// <summary>
    /// phase Ready or NotReady (Pending before the first fetch), the revisions fetched and applied, the objects it owns,
    /// and its Ready condition with the reason (Flux's words where it has them) and message.
    /// </summary>
    static ObjectStatusView SourceStatus(DesiredEntry? entry, SourceRecord s, int? owned) => WithProblems(new ObjectStatusView(
        Phase: s.Ready ? "Ready" : s.FetchedRevision is null && s.Reason == Sources.SourceReasons.Progressing ? "Pending" : "NotReady",
        Reason: s.Reason, Message: s.Message, FetchedRevision: s.FetchedRevision, AppliedRevision: s.AppliedRevision, LastFetchTime: s.AttemptedAt,
        Objects: owned, Conditions: [new ConditionView("Ready", s.Ready ? "True" : s.Reason == Sources.SourceReasons.Progressing ? "Unknown" : "False", s.Reason, s.Message, s.TransitionAt)]), entry);

    static ObjectMetaView Metadata(DesiredEntry? entry, ObjectKey key) => entry is null ? new ObjectMetaView(key.Name) : new ObjectMetaView(
        key.Name, entry.Generation, entry.CreatedAt, entry.Owner.ManagedBy, entry.Object?.Source,
        entry.Object is { Labels.Count: > 0 } obj ? obj.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).ToDictionary() : null,
        entry.Object is { Annotations.Count: > 0 } annotated ? annotated.Annotations.OrderBy(a => a.Key, StringComparer.Ordinal).ToDictionary() : null);

    /// <summary>Not reconciled yet (a new object before its first pass), or a daemon without that kind's driver.</summary>
    static string Phase(DesiredEntry? entry) => entry?.Object is null ? "Error" : "Pending";

    static ObjectStatusView IsleStatus(DesiredEntry? entry, IsleRecord? r, Reconcile.StartupCheck.Ended? ended) => WithProblems(r is null ? new ObjectStatusView(Phase(entry))
        : ended is not null ? EndedWhileDown(r, ended) : new ObjectStatusView(
        Phase: r.State.ToString(), ObservedGeneration: r.Generation, Pid: r.Pid, ExitCode: r.ExitCode, ExitSignal: r.ExitSignal,
        Reason: r.Reason, Message: r.Message, RestartCount: r.RestartCount, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt,
        NextStartAt: r.NextStartAt, Addresses: new Dictionary<string, string>(r.Addresses), Ports: PublishedPorts(entry, r)), entry);

    /// <summary>
    /// A Running or Paused record whose process islanderd found ended when it started, before the isle's first pass:
    /// Unknown (as Kubernetes' phase when the node cannot say), no pid, how it ended when the shim recorded it; no
    /// ports, since nothing listens. The pass then shows what its restart policy made of it.
    /// </summary>
    static ObjectStatusView EndedWhileDown(IsleRecord r, Reconcile.StartupCheck.Ended ended) => new(
        Phase: "Unknown", ObservedGeneration: r.Generation, ExitCode: ended.Exit?.Code, ExitSignal: ended.Exit?.Signal,
        Reason: Reasons.EndedWhileDown, Message: $"its process (pid {r.Pid}) ended while islanderd was down: {ended.Exit?.ToString() ?? "vanished without an exit status"}; " +
            "its restart policy applies at its first reconcile pass",
        RestartCount: r.RestartCount, StartedAt: r.StartedAt, FinishedAt: ended.Exit?.FinishedAt, Addresses: new Dictionary<string, string>(r.Addresses));

    /// <summary>
    /// The ports a running (or paused) isle publishes, as <c>docker port</c> lists them: those of the spec it runs (the
    /// desired one unless a spec change is still on its way); none while it does not run, as Docker shows none.
    /// </summary>
    static IReadOnlyList<PortView>? PublishedPorts(DesiredEntry? entry, IsleRecord r) =>
        r.State is IslePhase.Running or IslePhase.Paused && entry?.Object?.Isle is { Ports.Count: > 0 } spec && entry.Object.SpecHash == r.SpecHash
            ? [.. spec.Ports.Select(p => new PortView(p.ContainerPort, p.Protocol.ToString().ToLowerInvariant(), p.HostIp ?? "0.0.0.0", p.HostPort))]
            : null;

    static ObjectStatusView NetworkStatus(DesiredEntry? entry, NetworkRecord n) => WithProblems(new ObjectStatusView(
        Phase: n.Ready ? "Ready" : "Pending", Reason: n.Reason, Message: n.Message,
        Bridge: n.Bridge, Subnet: n.Subnet, Gateway: n.Gateway, Isles: n.Allocations.Count), entry);

    /// <summary>phase, driver, path, sizeLimit and bytesUsed (as the driver last reported them), snapshots, usedBy (the isles that mount it).</summary>
    static ObjectStatusView VolumeStatus(DesiredEntry? entry, VolumeRecord v) => WithProblems(new ObjectStatusView(
        Phase: v.Phase.ToString(), Reason: v.Reason, Message: v.Message, Driver: v.Driver.Name, Path: v.Path,
        SizeLimit: v.SizeLimit, BytesUsed: v.BytesUsed, Snapshots: [.. v.Snapshots], UsedBy: [.. v.Users.Order(StringComparer.Ordinal)]), entry);

    static ObjectStatusView WithProblems(ObjectStatusView status, DesiredEntry? entry) => entry is not { Problems.Count: > 0 } ? status : status with
    {
        Reason = entry.Problems[0].StartsWith(ManifestFiles.UnavailablePrefix, StringComparison.Ordinal) ? ManifestFiles.UnavailableReason : Reasons.InvalidManifest,
        Message = string.Join("; ", entry.Problems) + (entry.Object is null ? "" : $" (the last good version, generation {entry.Generation}, stays)"),
        Problems = [.. entry.Problems],
    };

    public static ObjectListView List(ObjectKind kind, IEnumerable<ObjectView> items) => new(ApiJson.ApiVersion, kind + "List", [.. items]);

    public static EventView Event(EventRecord e) => new(e.Id, e.Time, e.Type.ToString(), e.Kind, e.Name, e.Reason, e.Message);

    /// <summary>The spec of an object that has none (an isle being pruned, its manifest gone): <c>{}</c>.</summary>
    static readonly JsonElement EmptySpec = Element(new JsonObject());

    /// <summary>A spec (or any JSON tree) as the views hold it.</summary>
    public static JsonElement Element(JsonNode node) => JsonSerializer.SerializeToElement(node, ApiJson.Context.JsonNode);
}
