using System.Text.Json.Serialization;

namespace Islander.Drivers.Images;

/// <summary>A stored image as the index file keeps it.</summary>
public sealed record ImageRecord
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("names")] public List<string> Names { get; init; } = [];
    [JsonPropertyName("repoDigests")] public List<string> RepoDigests { get; init; } = [];
    [JsonPropertyName("manifest")] public string? ManifestDigest { get; init; }
    /// <summary>Blobs this image keeps in the content store (manifest, config, layers), for garbage collection.</summary>
    [JsonPropertyName("blobs")] public List<string> Blobs { get; init; } = [];
    [JsonPropertyName("layers")] public List<LayerRecord> Layers { get; init; } = [];
    [JsonPropertyName("created")] public DateTimeOffset? Created { get; init; }
    [JsonPropertyName("added")] public DateTimeOffset Added { get; init; }
    [JsonPropertyName("os")] public string Os { get; init; } = "linux";
    [JsonPropertyName("architecture")] public string Architecture { get; init; } = "";
    [JsonPropertyName("config")] public OciProcessConfig? Config { get; init; }
    /// <summary>The registry or mirror the last pull was served by (<c>http://127.0.0.1:5000</c>); null for an import.</summary>
    [JsonPropertyName("pulledFrom")] public string? PulledFrom { get; init; }
}
