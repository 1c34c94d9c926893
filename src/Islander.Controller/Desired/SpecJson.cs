using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Islander.Model;

namespace Islander.Controller.Desired;

/// <summary>
/// The JSON form of specs, as the API returns them and LiteDB keeps them: camelCase, enums as names, unset fields
/// left out. The daemon is not trimmed, so reflection-based serialization is fine here (the CLI uses source generation).
/// </summary>
public static class SpecJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(), new Model.Api.IpAddressJsonConverter(), new Model.Api.IpNetworkJsonConverter() },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>The spec without empty lists, empty objects and false flags: what a person would have written.</summary>
    public static JsonObject FromIsle(IsleSpec spec)
    {
        var json = JsonSerializer.SerializeToNode(spec, Options)!.AsObject();
        Prune(json);
        return json;
    }

    static bool Prune(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o.ToList())
                    if (Prune(value)) o.Remove(key);
                return o.Count == 0;
            case JsonArray a:
                foreach (var item in a) Prune(item);
                return a.Count == 0;
            case JsonValue v:
                return v.GetValueKind() == JsonValueKind.False;
            default:
                return true;
        }
    }

    public static IsleSpec ToIsle(JsonObject spec) =>
        spec.Deserialize<IsleSpec>(Options) ?? throw new IslanderException("empty isle spec", ErrorCategory.InvalidManifest);
}
