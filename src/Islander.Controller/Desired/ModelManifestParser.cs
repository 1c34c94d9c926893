using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Islander.Drivers;
using Islander.Model;

namespace Islander.Controller.Desired;

/// <summary>
/// The controller's parser: Islander.Model's <see cref="ManifestLoader"/>, its results in the controller's types. A
/// manifest may name the drivers registered in the driver catalogs (<see cref="DriverCatalogs.Known"/>): an unknown one
/// is refused at its file, line and field, before anything is stored.
/// </summary>
public sealed class ModelManifestParser(DriverCatalog? drivers = null) : IManifestParser
{
    readonly DriverCatalog _drivers = drivers ?? DriverCatalogs.Known;

    public ManifestLoadResult<DesiredObject> Parse(string file, string text) => From(ManifestLoader.Load(text, file, _drivers));

    /// <summary>
    /// For a file or body over <see cref="ManifestLimits.MaxFileBytes"/>, found before reading it: one problem, no
    /// objects, incomplete (the objects it defined before keep their last good version).
    /// </summary>
    public static ManifestLoadResult<DesiredObject> TooLarge(string file, long bytes) => From(ManifestLoader.TooLarge(file, bytes));

    static ManifestLoadResult<DesiredObject> From(ManifestLoadResult<Manifest> result)
    {
        var objects = new List<DesiredObject>();
        var rejected = result.Rejected.ToList();
        var problems = result.Diagnostics.ToList();
        foreach (var manifest in result.Objects)
        {
            var obj = ToDesired(manifest);
            var size = StoredBytes(obj);
            if (size <= ManifestLimits.MaxObjectBytes)
            {
                objects.Add(obj);
                continue;
            }
            // Refused here, before the state database sees it: a record over its 16 MiB limit throws where it is
            // saved, and that stopped the daemon. Kubernetes refuses objects over etcd's 1.5 MiB the same way.
            rejected.Add(obj.Key);
            problems.Add(new Diagnostic(manifest.Source.File, manifest.Source.Line, manifest.Source.Column, "spec",
                $"{obj.Key} is {ByteSize.Format(size)} as stored (spec and labels); an object may be at most {ByteSize.Format(ManifestLimits.MaxObjectBytes)}: keep large data in a volume or the image, not in the manifest"));
        }
        return new ManifestLoadResult<DesiredObject>(objects, rejected, problems, result.IsComplete);
    }

    /// <summary>What the state database will hold of <paramref name="obj"/>: its spec as JSON, its labels and annotations, in UTF-8.</summary>
    static long StoredBytes(DesiredObject obj) =>
        Encoding.UTF8.GetByteCount(obj.Spec.ToJsonString()) + obj.Labels.Concat(obj.Annotations).Sum(l => (long)Encoding.UTF8.GetByteCount(l.Key) + Encoding.UTF8.GetByteCount(l.Value));

    static DesiredObject ToDesired(Manifest manifest)
    {
        var key = manifest.Key;
        var labels = manifest.Metadata.Labels;
        var source = manifest.Source.ToString();
        var obj = manifest switch
        {
            IsleManifest isle => new DesiredObject(key, labels, SpecJson.FromIsle(isle.Spec), isle.Spec, source) { ConfigFiles = isle.ConfigFiles },
            NetworkManifest network => new DesiredObject(key, labels, SpecJson.ToJson(network.Spec), null, source),
            VolumeManifest volume => new DesiredObject(key, labels, SpecJson.ToJson(volume.Spec), null, source),
            SourceManifest gitSource => new DesiredObject(key, labels, SpecJson.ToJson(gitSource.Spec), null, source),
            _ => throw new ArgumentOutOfRangeException(nameof(manifest), manifest.Kind, "unknown manifest kind"),
        };
        return manifest.Metadata.Annotations.Count == 0 ? obj : obj with { Annotations = manifest.Metadata.Annotations };
    }
}
