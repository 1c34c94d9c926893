using System.Text.Json.Serialization;

namespace Islander.Drivers.Images;

/// <summary>
/// One layer of a stored image: its diffID (the layer directory) and, when pulled, the blob it came from;
/// <see cref="SkippedDevices"/> names the device nodes its archive held that were not created (see UnpackOptions).
/// </summary>
public sealed record LayerRecord(
    [property: JsonPropertyName("diffId")] string DiffId,
    [property: JsonPropertyName("blob")] string? Blob,
    [property: JsonPropertyName("mediaType")] string? MediaType,
    [property: JsonPropertyName("size")] long Size,
    [property: JsonPropertyName("skippedDevices")] IReadOnlyList<string>? SkippedDevices = null);
