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
    // JSON's null deserializes into a list or a required string as it is (and [null] into a list of one null): each reader
    // refuses a null where the code after it would take a value, so a malformed document is InvalidManifest, not a
    // NullReferenceException.

    public static OciIndex ReadIndex(ReadOnlySpan<byte> json, string what)
    {
        var index = Read(json, OciJsonContext.Default.OciIndex, what);
        Require(index.Manifests is not null && index.Manifests.All(m => m is not null), what, "manifests");
        return index;
    }

    public static OciManifest ReadManifest(ReadOnlySpan<byte> json, string what)
    {
        var manifest = Read(json, OciJsonContext.Default.OciManifest, what);
        Require(manifest.Layers is not null && manifest.Layers.All(l => l is not null), what, "layers");
        return manifest;
    }

    public static OciImageConfig ReadConfig(ReadOnlySpan<byte> json, string what)
    {
        var config = Read(json, OciJsonContext.Default.OciImageConfig, what);
        Require(config.Rootfs is null || (config.Rootfs.DiffIds is not null && config.Rootfs.DiffIds.All(d => d is not null)), what, "rootfs.diff_ids");
        var process = config.Config;
        Require(process is null || ((process.Env ?? []).Concat(process.Entrypoint ?? []).Concat(process.Cmd ?? []).All(v => v is not null)
            && (process.Labels is null || process.Labels.Values.All(v => v is not null))), what, "config (Env, Entrypoint, Cmd, Labels)");
        return config;
    }

    internal static List<DockerSaveManifest> ReadDockerSave(ReadOnlySpan<byte> json, string what)
    {
        var entries = Read(json, OciJsonContext.Default.ListDockerSaveManifest, what);
        Require(entries.All(e => e is not null && e.Config is not null && e.Layers is not null && e.Layers.All(l => l is not null)
            && (e.RepoTags is null || e.RepoTags.All(t => t is not null))), what, "Config, Layers and RepoTags");
        return entries;
    }

    static void Require(bool ok, string what, string fields)
    {
        if (!ok) throw new IslanderException($"{what}: null where {fields} needs a value", ErrorCategory.InvalidManifest);
    }

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
