using System.Text.Json;
using System.Text.Json.Serialization;

namespace Islander.Cli.Api;

// The API's wire types, as the client reads them (islanderd's Api/ObjectViews.cs writes them). Kept together in
// one file, against the one-type-per-file rule (docs/architecture.md, "Conventions"), because they are one contract
// and only make sense side by side.
// spec stays a JsonElement: the client shows it, it never interprets it.

/// <summary>An object: apiVersion, kind, metadata, spec, status.</summary>
public sealed record ApiObject(string ApiVersion, string Kind, ApiMetadata Metadata, JsonElement Spec, ApiObjectStatus Status);

public sealed record ApiMetadata(string Name, long Generation = 0, DateTimeOffset? CreationTimestamp = null, string? ManagedBy = null, string? Source = null,
    Dictionary<string, string>? Labels = null);

/// <summary>The status fields (docs/architecture.md, "The API and its objects"); networks use phase, reason and message; volumes also driver, path, sizes, snapshots and usedBy.</summary>
public sealed record ApiObjectStatus(string? Phase = null, long? ObservedGeneration = null, int? Pid = null, int? ExitCode = null, int? ExitSignal = null,
    string? Reason = null, string? Message = null, int RestartCount = 0, DateTimeOffset? StartedAt = null, DateTimeOffset? FinishedAt = null,
    DateTimeOffset? NextStartAt = null, Dictionary<string, string>? Addresses = null, List<string>? Problems = null,
    string? Driver = null, string? Path = null, long? SizeLimit = null, long? BytesUsed = null, List<string>? Snapshots = null, List<string>? UsedBy = null);

public sealed record ApiList(string ApiVersion, string Kind, List<ApiObject> Items);

/// <summary>Kubernetes' Status: the body of every error, and of a successful delete.</summary>
/// <see cref="Isles"/>: the isles a volume restore stopped to start again.
public sealed record ApiStatus(string? Status = null, string? Reason = null, string? Message = null, int Code = 0, List<ApiProblem>? Details = null,
    List<string>? Isles = null);

/// <summary>A problem in a manifest; <see cref="Text"/> is the compiler form <c>file:line:col: field: why</c>.</summary>
public sealed record ApiProblem(string File, int Line, int Column, string Field, string Message, string Text);

/// <summary>The result of an apply; on a dry run, <see cref="Plan"/> is what the daemon would do (<c>+ start isle web (New)</c>).</summary>
public sealed record ApplyResult(bool DryRun, List<ApplyItem> Items, List<ApiProblem> Problems, List<string>? Plan = null);

/// <summary>One object of an apply: outcome created|configured|unchanged|invalid|error; current/desired on a dry run.</summary>
public sealed record ApplyItem(string Kind, string Name, string Outcome, long? Generation = null, string? Reason = null, string? Message = null,
    JsonElement? Current = null, JsonElement? Desired = null);

public sealed record ApiEvent(long Id, DateTimeOffset Time, string Type, string Kind, string Name, string Reason, string Message);

public sealed record ApiEventList(List<ApiEvent> Items);

/// <summary>Source-generated serialization: no reflection, so islanderctl publishes NativeAOT.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ApiObject))]
[JsonSerializable(typeof(ApiList))]
[JsonSerializable(typeof(ApiStatus))]
[JsonSerializable(typeof(ApplyResult))]
[JsonSerializable(typeof(ApiEvent))]
[JsonSerializable(typeof(ApiEventList))]
[JsonSerializable(typeof(string))]
public sealed partial class ApiJsonContext : JsonSerializerContext;
