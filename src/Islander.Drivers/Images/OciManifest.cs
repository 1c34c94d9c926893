using System.Text.Json.Serialization;

namespace Islander.Drivers.Images;

/// <summary>An image manifest (OCI, or Docker schema 2: same shape).</summary>
public sealed record OciManifest
{
    [JsonPropertyName("schemaVersion")] public int SchemaVersion { get; init; }
    [JsonPropertyName("mediaType")] public string? MediaType { get; init; }
    [JsonPropertyName("config")] public OciDescriptor? Config { get; init; }
    [JsonPropertyName("layers")] public List<OciDescriptor> Layers { get; init; } = [];
}
