using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using System.Text.Json.Serialization;

namespace Islander.Model.Api;

/// <summary>
/// The specs' JSON form, as islanderd keeps them and the API returns them: camelCase, enums as names, sizes in bytes,
/// durations as TimeSpans, addresses and subnets as the strings people write. Source-generated, so a NativeAOT program
/// reads and writes them without reflection: islanderctl reads the API's specs back with it. islanderd writes the same
/// form by reflection today (Controller's <c>SpecJson</c>, with these converters); it is here, in the Model, for the
/// day islanderd is NativeAOT too.
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
    /// A spec read over its record's defaults: the stored and API forms leave fields at their default out, and
    /// source-generated deserialization sets a missing init-only property to null rather than to its initializer.
    /// </summary>
    public static T Read<T>(JsonObject spec, T defaults, JsonTypeInfo<T> info)
    {
        var merged = JsonSerializer.SerializeToNode(defaults, info)!.AsObject();
        Merge(merged, spec);
        return merged.Deserialize(info) ?? defaults;
    }

    static void Merge(JsonObject into, JsonObject from)
    {
        foreach (var (key, value) in from)
        {
            if (value is JsonObject child && into[key] is JsonObject target) Merge(target, child);
            else into[key] = value?.DeepClone();
        }
    }
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
