using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Islander.Model;

namespace Islander.Cli.Api;

/// <summary>
/// Reads the API's <c>spec</c> (islanderd's SpecJson form: camelCase, enums as names, sizes in bytes, durations as
/// TimeSpans) back into the Model's specs, so that islanderctl can show them as a manifest says them
/// (<see cref="ManifestWriter"/>). Source-generated: islanderctl is a NativeAOT program.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true,
    Converters = [typeof(IpAddressJsonConverter), typeof(IpNetworkJsonConverter)])]
[JsonSerializable(typeof(IsleSpec))]
[JsonSerializable(typeof(NetworkSpec))]
[JsonSerializable(typeof(VolumeSpec))]
internal sealed partial class SpecJsonContext : JsonSerializerContext;

/// <summary>An <see cref="IPAddress"/> as its text, as the daemon writes it.</summary>
internal sealed class IpAddressJsonConverter : JsonConverter<IPAddress>
{
    public override IPAddress Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        IPAddress.Parse(reader.GetString() ?? throw new JsonException("an IP address is null"));

    public override void Write(Utf8JsonWriter writer, IPAddress value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
}

/// <summary>An <see cref="IPNetwork"/> as its CIDR text, as the daemon writes it.</summary>
internal sealed class IpNetworkJsonConverter : JsonConverter<IPNetwork>
{
    public override IPNetwork Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        IPNetwork.Parse(reader.GetString() ?? throw new JsonException("a subnet is null"));

    public override void Write(Utf8JsonWriter writer, IPNetwork value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
}
