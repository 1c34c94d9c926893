using System.Text.Json;
using System.Text.Json.Serialization;

namespace Islander.Model;

/// <summary>
/// The name of a network driver (<c>bridge</c> today), lower case as manifests write it. Drivers register themselves
/// (the driver catalog) and the parser is handed their names (<see cref="DriverCatalog"/>). <c>default</c> is
/// <see cref="Bridge"/>, the driver a spec without one gets.
/// </summary>
[JsonConverter(typeof(NetworkDriverKindJsonConverter))]
public readonly record struct NetworkDriverKind
{
    private readonly string? _name;

    public NetworkDriverKind(string name) => _name = name.ToLowerInvariant();

    /// <summary>A Linux bridge per network, a veth per isle: the driver a spec without one gets.</summary>
    public static NetworkDriverKind Bridge { get; } = new("bridge");

    public string Name => _name ?? "bridge";

    public bool Equals(NetworkDriverKind other) => Name == other.Name;

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Name);

    public override string ToString() => Name;
}

/// <summary>JSON as the name.</summary>
public sealed class NetworkDriverKindJsonConverter : JsonConverter<NetworkDriverKind>
{
    public override NetworkDriverKind Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        new(reader.GetString() ?? throw new JsonException("a network driver is a name"));

    public override void Write(Utf8JsonWriter writer, NetworkDriverKind value, JsonSerializerOptions options) => writer.WriteStringValue(value.Name);
}
