using System.Text.Json;
using System.Text.Json.Nodes;
using Islander.Model;

namespace Islander.Controller.Desired;

/// <summary>The controller's parser: Islander.Model's <see cref="ManifestLoader"/>, its results in the controller's types.</summary>
public sealed class ModelManifestParser : IManifestParser
{
    public ParsedManifests Parse(string file, string text)
    {
        var result = ManifestLoader.Load(text, file);
        return new ParsedManifests(
            result.Objects.Select(ToDesired).ToList(),
            result.Rejected.Select(Key).ToList(),
            result.Diagnostics.Select(d => new ManifestProblem(d.File, d.Line, d.Column, d.Field, d.Message)).ToList(),
            result.IsComplete);
    }

    static DesiredObject ToDesired(Manifest manifest)
    {
        var key = Key(manifest.Key);
        var labels = manifest.Metadata.Labels;
        var source = manifest.Source.ToString();
        return manifest switch
        {
            IsleManifest isle => new DesiredObject(key, labels, SpecJson.FromIsle(isle.Spec), isle.Spec, source),
            NetworkManifest network => new DesiredObject(key, labels, ToJson(network.Spec), null, source),
            VolumeManifest volume => new DesiredObject(key, labels, ToJson(volume.Spec), null, source),
            _ => throw new ArgumentOutOfRangeException(nameof(manifest), manifest.Kind, "unknown manifest kind"),
        };
    }

    static JsonObject ToJson<T>(T spec) => JsonSerializer.SerializeToNode(spec, SpecJson.Options)!.AsObject();

    static ResourceKey Key(ObjectKey key) => new(Enum.Parse<ResourceKind>(key.Kind.ToString()), key.Name);
}
