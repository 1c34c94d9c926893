using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using System.Text.Json.Serialization;

namespace Islander.Model.Api;

/// <summary>
/// The specs' JSON form, as islanderd keeps them and the API returns them: camelCase, enums as names, sizes in bytes,
/// durations as TimeSpans, addresses and subnets as the strings people write. Source-generated, so a NativeAOT program
/// reads and writes them without reflection: islanderctl reads the API's specs back with it, islanderd (Controller's
/// <c>SpecJson</c>) stores and serves them with it, in every build.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true,
    Converters = [typeof(IpAddressJsonConverter), typeof(IpNetworkJsonConverter)])]
[JsonSerializable(typeof(IsleSpec))]
[JsonSerializable(typeof(NetworkSpec))]
[JsonSerializable(typeof(VolumeSpec))]
[JsonSerializable(typeof(SourceSpec))]
public sealed partial class SpecJsonContext : JsonSerializerContext
{
    /// <summary>
    /// A spec read from its JSON form with every member the JSON leaves out at the value a new record starts with, as
    /// reading by reflection gives. The stored and API forms leave members at their default out, and source-generated
    /// reading sets a missing init-only member to null or 0, not to its initializer (dotnet/runtime#84484): so the JSON
    /// is first filled from <see cref="SpecDefaults"/>' templates, guided by <paramref name="info"/>, at every depth
    /// (members, list items, dictionary values).
    /// </summary>
    public static T Read<T>(JsonObject spec, JsonTypeInfo<T> info) =>
        WithDefaults(spec, info)!.Deserialize(info) ?? throw new JsonException($"a {typeof(T).Name} is null");

    static readonly ConcurrentDictionary<JsonTypeInfo, JsonObject> TemplateJson = new();

    static JsonNode? WithDefaults(JsonNode? node, JsonTypeInfo info)
    {
        switch (node)
        {
            case JsonObject o when info.Kind == JsonTypeInfoKind.Object:
                var filled = new JsonObject();
                foreach (var (key, value) in o)
                    filled[key] = Property(info, key) is { } p ? WithDefaults(value, info.Options.GetTypeInfo(p.PropertyType)) : value?.DeepClone();
                foreach (var (key, value) in Template(info))
                    if (!o.Any(m => string.Equals(m.Key, key, StringComparison.OrdinalIgnoreCase))) filled[key] = value!.DeepClone();
                return filled;
            case JsonArray a when info.Kind == JsonTypeInfoKind.Enumerable:
                var item = info.Options.GetTypeInfo(info.ElementType!);
                return new JsonArray([.. a.Select(i => WithDefaults(i, item))]);
            case JsonObject d when info.Kind == JsonTypeInfoKind.Dictionary:
                var entry = info.Options.GetTypeInfo(info.ElementType!);
                var values = new JsonObject();
                foreach (var (key, value) in d) values[key] = WithDefaults(value, entry);
                return values;
            default:
                return node?.DeepClone();
        }
    }

    /// <summary>
    /// <paramref name="spec"/> without the members <see cref="Read{T}"/> gives back anyway, as the stored and API forms
    /// keep specs (what a person would have written): a false flag, an empty list or an empty object is left out, at
    /// every depth, where its record starts with that same value. Where it does not, it stays, so that it reads back as
    /// it was: <c>update: {rollback: false}</c> (rollback starts true), a volume's <c>tmpfs: {}</c> (tmpfs starts null).
    /// </summary>
    public static JsonObject Compact<T>(JsonObject spec, JsonTypeInfo<T> info)
    {
        Compact(spec, (JsonTypeInfo)info);
        return spec;
    }

    static void Compact(JsonNode? node, JsonTypeInfo info)
    {
        switch (node)
        {
            case JsonObject o when info.Kind == JsonTypeInfoKind.Object:
                var template = Template(info);
                foreach (var (key, value) in o.ToList())
                {
                    if (Property(info, key) is not { } p) continue;
                    var member = info.Options.GetTypeInfo(p.PropertyType);
                    Compact(value, member);
                    if (IsEmpty(value) && template[key] is { } start && JsonNode.DeepEquals(WithDefaults(value, member), WithDefaults(start, member)))
                        o.Remove(key);
                }
                break;
            case JsonArray a when info.Kind == JsonTypeInfoKind.Enumerable:
                foreach (var item in a) Compact(item, info.Options.GetTypeInfo(info.ElementType!));
                break;
            case JsonObject d when info.Kind == JsonTypeInfoKind.Dictionary:
                foreach (var (_, value) in d) Compact(value, info.Options.GetTypeInfo(info.ElementType!));
                break;
        }
    }

    static bool IsEmpty(JsonNode? node) =>
        node is JsonObject { Count: 0 } or JsonArray { Count: 0 } || node is JsonValue v && v.GetValueKind() == JsonValueKind.False;

    static JsonPropertyInfo? Property(JsonTypeInfo info, string name) =>
        info.Properties.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The template's members as JSON, but the required ones (the JSON must have them) and the null ones.</summary>
    static JsonObject Template(JsonTypeInfo info) => TemplateJson.GetOrAdd(info, static info =>
    {
        if (!SpecDefaults.Templates.TryGetValue(info.Type, out var template)) return [];
        var json = JsonSerializer.SerializeToNode(template, info)!.AsObject();
        foreach (var p in info.Properties)
            if (p.IsRequired || json[p.Name] is null) json.Remove(p.Name);
        return json;
    });
}

/// <summary>An <see cref="IPAddress"/> as its text (10.88.0.2), not as its properties.</summary>
public sealed class IpAddressJsonConverter : JsonConverter<IPAddress>
{
    public override IPAddress Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        IPAddress.Parse(reader.GetString() ?? throw new JsonException("an IP address is null"));

    public override void Write(Utf8JsonWriter writer, IPAddress value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
}

/// <summary>An <see cref="IPNetwork"/> as its CIDR text (10.88.0.0/24), not as its properties.</summary>
public sealed class IpNetworkJsonConverter : JsonConverter<IPNetwork>
{
    public override IPNetwork Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        IPNetwork.Parse(reader.GetString() ?? throw new JsonException("a subnet is null"));

    public override void Write(Utf8JsonWriter writer, IPNetwork value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
}
