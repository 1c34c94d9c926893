using System.Text.Json.Serialization;

namespace Islander.Drivers.Images;

/// <summary>An OCI content descriptor: what a manifest says about a blob it points to.</summary>
public sealed record OciDescriptor
{
    [JsonPropertyName("mediaType")] public string? MediaType { get; init; }
    [JsonPropertyName("digest")] public required string Digest { get; init; }
    [JsonPropertyName("size")] public long Size { get; init; }
    [JsonPropertyName("platform")] public OciPlatform? Platform { get; init; }
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; init; }
    [JsonPropertyName("urls")] public List<string>? Urls { get; init; }
}
