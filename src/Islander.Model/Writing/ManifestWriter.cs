using System.Globalization;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Islander.Model;

/// <summary>
/// Writes objects back as manifest YAML (for <c>islanderctl get -o yaml</c>). Quantities come out in their
/// Kubernetes forms (<c>64Mi</c>, <c>500m</c>), defaults are left out, and the output loads back to equal objects.
/// </summary>
public static class ManifestWriter
{
    private static readonly ISerializer Serializer = new SerializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull | DefaultValuesHandling.OmitEmptyCollections)
        .WithQuotingNecessaryStrings()
        .DisableAliases()
        .Build();

    /// <summary>One document.</summary>
    public static string Write(Manifest manifest) => Serializer.Serialize(ManifestDocument.From(manifest));

    /// <summary>Several documents separated by <c>---</c>, as <c>kubectl get -o yaml</c> would not but <c>apply -f</c> reads.</summary>
    public static string Write(IEnumerable<Manifest> manifests) =>
        string.Join("---\n", manifests.Select(Write));

    /// <summary>
    /// One document as JSON (which is YAML too, so the loader and the API's apply read it), from the same
    /// documents as <see cref="Write(Manifest)"/>. Needs no reflection: islanderctl, a NativeAOT program, sends
    /// the isles of <c>islanderctl run</c> this way.
    /// </summary>
    public static string WriteJson(Manifest manifest) =>
        System.Text.Json.JsonSerializer.Serialize(ManifestDocument.From(manifest), ManifestJsonContext.Default.ManifestDocument);

    internal static string Seconds(TimeSpan value) =>
        value.TotalMilliseconds % 1000 == 0
            ? ((long)value.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s"
            : ((long)value.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";
}
