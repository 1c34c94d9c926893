using System.Text.Json;
using System.Text.Json.Serialization;

namespace Islander.Model;

/// <summary>
/// The name of a volume driver (<c>dir</c>, <c>btrfs</c>, <c>tmpfs</c>, ...), lower case as manifests write it. Which
/// names exist is not the Model's to say: drivers register themselves (the driver catalog), and the parser is handed
/// their names (<see cref="DriverCatalog"/>). <c>default</c> is <see cref="Dir"/>, the driver a spec without one gets.
/// </summary>
[JsonConverter(typeof(VolumeDriverKindJsonConverter))]
public readonly record struct VolumeDriverKind
{
    private readonly string? _name;

    public VolumeDriverKind(string name) => _name = name.ToLowerInvariant();

    /// <summary>A directory under the state directory: the driver a spec without one gets.</summary>
    public static VolumeDriverKind Dir { get; } = new("dir");

    public string Name => _name ?? "dir";

    public bool Equals(VolumeDriverKind other) => Name == other.Name;

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Name);

    public override string ToString() => Name;
}

/// <summary>JSON as the name (older records wrote the enum's "Btrfs": read case-insensitively).</summary>
public sealed class VolumeDriverKindJsonConverter : JsonConverter<VolumeDriverKind>
{
    public override VolumeDriverKind Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        new(reader.GetString() ?? throw new JsonException("a volume driver is a name"));

    public override void Write(Utf8JsonWriter writer, VolumeDriverKind value, JsonSerializerOptions options) => writer.WriteStringValue(value.Name);
}
