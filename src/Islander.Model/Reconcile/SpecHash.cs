using System.Collections;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Islander.Model;

/// <summary>
/// A stable hash of an isle's spec: equal specs give equal hashes, in every process and version. The controller
/// stores it with the isle; the diff recreates an isle whose desired spec hashes differently (Kubernetes'
/// pod-template-hash plays the same role).
/// </summary>
/// <remarks>
/// The hash is SHA-256 over canonical JSON of the spec: members in declaration order, enums by name, and members
/// that hold their default value (null, empty list, false, 0, or the value a new record starts with) left out.
/// Leaving defaults out keeps hashes stable when a later version adds a member: isles that do not use it keep
/// their hash and are not recreated on upgrade. What an edit of a member takes (in place, a restart, a recreate) is
/// <see cref="IsleSpecRules"/>'s to say, not the hash's.
/// </remarks>
public static class SpecHash
{
    private static readonly JsonSerializerOptions Options = new()
    {
        // Source-generated (no reflection: the NativeAOT islanderctl links the Model), with defaults left out.
        TypeInfoResolver = SpecHashJsonContext.Default.WithAddedModifier(SkipDefaults),
        WriteIndented = false,
    };

    private static readonly JsonTypeInfo<IsleSpec> SpecType = (JsonTypeInfo<IsleSpec>)Options.GetTypeInfo(typeof(IsleSpec));

    /// <summary>16 lower-case hex digits (64 bits of SHA-256).</summary>
    public static string Of(IsleSpec spec) => Hash(JsonSerializer.SerializeToUtf8Bytes(spec, SpecType));

    /// <summary>The canonical JSON the hash is taken over (for tests and for debugging a surprising recreate).</summary>
    public static string CanonicalJson(IsleSpec spec) => JsonSerializer.Serialize(spec, SpecType);

    private static string Hash(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes), 0, 8);

    private static void SkipDefaults(JsonTypeInfo type)
    {
        if (type.Kind != JsonTypeInfoKind.Object) return;
        var template = SpecDefaults.Templates.GetValueOrDefault(type.Type);
        foreach (var property in type.Properties)
        {
            var getter = property.Get;
            if (getter is null) continue;
            var fallback = template is null ? null : getter(template);
            property.ShouldSerialize = (_, value) => !IsDefault(value, fallback);
        }
    }

    private static bool IsDefault(object? value, object? fallback) => value switch
    {
        null => true,
        string s => s.Length == 0 && fallback is null || Equals(s, fallback),
        ICollection c => c.Count == 0,
        bool b => fallback is bool fb ? b == fb : !b,
        int i => i == 0 && fallback is null || Equals(i, fallback),
        long l => l == 0 && fallback is null || Equals(l, fallback),
        TimeSpan t => Equals(t, fallback),
        Enum e => Equals(e, fallback) || (fallback is null && Convert.ToInt64(e, System.Globalization.CultureInfo.InvariantCulture) == 0),
        // A nested record (resources, security, ...) is at its default when it hashes as its template does: record
        // equality would compare its lists by reference, and a list read from JSON is never the template's instance.
        _ when fallback is not null && SpecDefaults.Templates.ContainsKey(value.GetType()) => Canonical(value) == Canonical(fallback),
        _ => Equals(value, fallback),
    };

    private static string Canonical(object record) => JsonSerializer.Serialize(record, Options.GetTypeInfo(record.GetType()));
}

[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
[JsonSerializable(typeof(IsleSpec))]
internal sealed partial class SpecHashJsonContext : JsonSerializerContext;
