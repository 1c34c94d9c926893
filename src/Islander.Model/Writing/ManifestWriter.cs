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

    internal static string Seconds(TimeSpan value) =>
        value.TotalMilliseconds % 1000 == 0
            ? ((long)value.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s"
            : ((long)value.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";
}
