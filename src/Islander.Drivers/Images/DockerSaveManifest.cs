using System.Text.Json.Serialization;

namespace Islander.Drivers.Images;

/// <summary>One entry of a <c>docker save</c> archive's manifest.json.</summary>
public sealed record DockerSaveManifest
{
    [JsonPropertyName("Config")] public required string Config { get; init; }
    [JsonPropertyName("RepoTags")] public List<string>? RepoTags { get; init; }
    [JsonPropertyName("Layers")] public List<string> Layers { get; init; } = [];
}
