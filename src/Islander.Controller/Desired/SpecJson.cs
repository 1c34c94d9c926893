using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Islander.Model;
using Islander.Model.Api;

namespace Islander.Controller.Desired;

/// <summary>
/// The JSON form of specs, as the API returns them and LiteDB keeps them: camelCase, enums as names, unset fields
/// left out. Source-generated (<see cref="SpecJsonContext"/>, shared with islanderctl) in every build, so the NativeAOT
/// package and the tests run the same code; read back over the records' defaults (<see cref="SpecJsonContext.Read{T}"/>).
/// </summary>
public static class SpecJson
{
    /// <summary><see cref="SpecJsonContext"/>'s options (its converters among them) with the daemon's own over them.</summary>
    public static readonly JsonSerializerOptions Options = new SpecJsonContext(new JsonSerializerOptions(SpecJsonContext.Default.Options)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    }).Options;

    /// <summary>A spec (<see cref="SpecJsonContext"/>'s types) as a JSON object, with every field it has.</summary>
    public static JsonObject ToJson<T>(T spec) => JsonSerializer.SerializeToNode(spec, TypeOf<T>())!.AsObject();

    /// <summary>A spec of type <typeparamref name="T"/> (<see cref="SpecJsonContext"/>'s types) read from its JSON form.</summary>
    public static T To<T>(JsonNode spec) => SpecJsonContext.Read(spec.AsObject(), TypeOf<T>());

    static JsonTypeInfo<T> TypeOf<T>() => (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));

    /// <summary>The spec as a person would have written it: see <see cref="SpecJsonContext.Compact{T}"/>.</summary>
    public static JsonObject FromIsle(IsleSpec spec) => SpecJsonContext.Compact(ToJson(spec), TypeOf<IsleSpec>());

    public static IsleSpec ToIsle(JsonObject spec) => To<IsleSpec>(spec);
}
