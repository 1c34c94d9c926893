using System.Text.Json.Serialization;

namespace Islander.Model;

/// <summary>
/// Source-generated JSON for the manifest documents (<see cref="ManifestWriter.WriteJson"/>): no reflection, so
/// NativeAOT programs (islanderctl) can write manifests. The documents hold <c>object</c> values (quantities as
/// strings, ports as ints, nested maps), so every type that can sit in one is listed here.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ManifestDocument))]
[JsonSerializable(typeof(IsleSpecDocument))]
[JsonSerializable(typeof(NetworkSpecDocument))]
[JsonSerializable(typeof(VolumeSpecDocument))]
[JsonSerializable(typeof(Dictionary<string, object>))]
[JsonSerializable(typeof(List<Dictionary<string, object>>))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(List<object>))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(bool))]
internal sealed partial class ManifestJsonContext : JsonSerializerContext;
