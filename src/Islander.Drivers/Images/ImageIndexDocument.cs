using System.Text.Json.Serialization;

namespace Islander.Drivers.Images;

/// <summary>The whole index file: ROOT/index.json.</summary>
public sealed record ImageIndexDocument
{
    [JsonPropertyName("version")] public int Version { get; init; } = 1;
    [JsonPropertyName("images")] public List<ImageRecord> Images { get; init; } = [];
}
