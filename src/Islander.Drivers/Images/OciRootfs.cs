using System.Text.Json.Serialization;

namespace Islander.Drivers.Images;

public sealed record OciRootfs
{
    [JsonPropertyName("type")] public string Type { get; init; } = "layers";
    [JsonPropertyName("diff_ids")] public List<string> DiffIds { get; init; } = [];
}
