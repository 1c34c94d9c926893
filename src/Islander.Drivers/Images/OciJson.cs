using System.Text.Json;
using System.Text.Json.Serialization;
using Islander.Model;

namespace Islander.Drivers.Images;

/// <summary>Reads the JSON documents of the image spec, turning malformed input into InvalidManifest errors.</summary>
public static class OciJson
{
    internal static readonly JsonSerializerOptions Options = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = false,
    };

    public static T Read<T>(ReadOnlySpan<byte> json, string what)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, Options)
                ?? throw new IslanderException($"{what}: empty document", ErrorCategory.InvalidManifest);
        }
        catch (JsonException e)
        {
            throw new IslanderException($"{what}: malformed JSON: {e.Message}", ErrorCategory.InvalidManifest, e);
        }
    }

    public static byte[] Write<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

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
