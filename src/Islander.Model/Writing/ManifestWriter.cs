using System.Globalization;

namespace Islander.Model;

/// <summary>
/// Writes objects back as manifests, in JSON (which is YAML too, so the loader and the API's apply read it): quantities
/// in their Kubernetes forms (<c>64Mi</c>, <c>500m</c>), defaults left out, and the output loads back to equal objects.
/// Source-generated, no reflection: islanderctl, a NativeAOT program, sends the isles of <c>islanderctl run</c> this way.
/// </summary>
public static class ManifestWriter
{
    /// <summary>One document.</summary>
    public static string WriteJson(Manifest manifest) =>
        System.Text.Json.JsonSerializer.Serialize(ManifestDocument.From(manifest), ManifestJsonContext.Default.ManifestDocument);

    internal static string Seconds(TimeSpan value) =>
        value.TotalMilliseconds % 1000 == 0
            ? ((long)value.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s"
            : ((long)value.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";
}
