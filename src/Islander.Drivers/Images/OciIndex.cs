using System.Text.Json.Serialization;

namespace Islander.Drivers.Images;

/// <summary>An image index (OCI) or manifest list (Docker): one manifest per platform.</summary>
public sealed record OciIndex
{
    [JsonPropertyName("schemaVersion")] public int SchemaVersion { get; init; }
    [JsonPropertyName("mediaType")] public string? MediaType { get; init; }
    [JsonPropertyName("manifests")] public List<OciDescriptor> Manifests { get; init; } = [];
}
