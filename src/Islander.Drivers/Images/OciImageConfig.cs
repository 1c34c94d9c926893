using System.Text.Json.Serialization;

namespace Islander.Drivers.Images;

/// <summary>The image configuration blob: platform, process defaults, and the layers' uncompressed digests.</summary>
public sealed record OciImageConfig
{
    [JsonPropertyName("architecture")] public string? Architecture { get; init; }
    [JsonPropertyName("os")] public string? Os { get; init; }
    [JsonPropertyName("created")] public DateTimeOffset? Created { get; init; }
    [JsonPropertyName("config")] public OciProcessConfig? Config { get; init; }
    [JsonPropertyName("rootfs")] public OciRootfs? Rootfs { get; init; }
}
