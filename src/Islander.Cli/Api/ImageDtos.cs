using System.Text.Json;
using System.Text.Json.Serialization;

namespace Islander.Cli.Api;

// The images API's wire types (islanderd's Api/ImageEndpoints.cs writes them).

public sealed record ApiImageConfig(List<string>? Entrypoint = null, List<string>? Cmd = null, List<string>? Env = null, string? WorkingDir = null, string? User = null);

public sealed record ApiImage(string Id, List<string> Names, List<string>? RepoDigests = null, string? ManifestDigest = null, DateTimeOffset? Created = null,
    DateTimeOffset? Added = null, string? Os = null, string? Architecture = null, long Size = 0, List<string>? Layers = null, ApiImageConfig? Config = null,
    List<string>? SkippedDevices = null);

public sealed record ApiImageList(List<ApiImage> Items);

/// <summary>One line of a pull's stream: kind ImageProgress (item, phase, bytes), Image (the end) or Status (a failure).</summary>
public sealed record ApiPullLine(string Kind, string? Item = null, string? Phase = null, long Current = 0, long Total = 0,
    string? Id = null, List<string>? Names = null, string? Reason = null, string? Message = null, int Code = 0, List<string>? SkippedDevices = null);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ApiImage))]
[JsonSerializable(typeof(ApiImageList))]
[JsonSerializable(typeof(ApiPullLine))]
public sealed partial class ImageJsonContext : JsonSerializerContext;
