using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Islander.Model;

namespace Islander.Drivers.Images;

/// <summary>
/// The JSON documents the image store reads and writes, serialized by source-generated code (no reflection: the
/// NativeAOT islanderctl links this assembly). Nulls are left out when writing, as the image spec's optional fields.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OciIndex))]
[JsonSerializable(typeof(OciManifest))]
[JsonSerializable(typeof(OciImageConfig))]
[JsonSerializable(typeof(List<DockerSaveManifest>))]
[JsonSerializable(typeof(ImageIndexDocument))]
internal sealed partial class OciJsonContext : JsonSerializerContext;

/// <summary>Reads the JSON documents of the image spec, turning malformed input into InvalidManifest errors.</summary>
public static class OciJson
{
    public static OciIndex ReadIndex(ReadOnlySpan<byte> json, string what) => Read(json, OciJsonContext.Default.OciIndex, what);

    public static OciManifest ReadManifest(ReadOnlySpan<byte> json, string what) => Read(json, OciJsonContext.Default.OciManifest, what);

    public static OciImageConfig ReadConfig(ReadOnlySpan<byte> json, string what) => Read(json, OciJsonContext.Default.OciImageConfig, what);

    internal static List<DockerSaveManifest> ReadDockerSave(ReadOnlySpan<byte> json, string what) => Read(json, OciJsonContext.Default.ListDockerSaveManifest, what);

    public static byte[] Write(OciImageConfig config) => JsonSerializer.SerializeToUtf8Bytes(config, OciJsonContext.Default.OciImageConfig);

    static T Read<T>(ReadOnlySpan<byte> json, JsonTypeInfo<T> type, string what)
    {
        try
        {
            return JsonSerializer.Deserialize(json, type)
                ?? throw new IslanderException($"{what}: empty document", ErrorCategory.InvalidManifest);
        }
        catch (JsonException e)
        {
            throw new IslanderException($"{what}: malformed JSON: {e.Message}", ErrorCategory.InvalidManifest, e);
        }
    }

    /// <summary>The mediaType field of a manifest or index, used when the server's Content-Type is missing or generic.</summary>
    public static string? SniffMediaType(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using var doc = JsonDocument.ParseValue(ref reader);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                return null;
            if (doc.RootElement.TryGetProperty("mediaType", out var mt) && mt.ValueKind == JsonValueKind.String)
                return mt.GetString();
            if (doc.RootElement.TryGetProperty("manifests", out _))
                return MediaTypes.OciIndex;
            if (doc.RootElement.TryGetProperty("layers", out _))
                return MediaTypes.OciManifest;
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
