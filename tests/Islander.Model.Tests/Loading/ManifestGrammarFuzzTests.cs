using CsCheck;
using Islander.Testing;

namespace Islander.Model.Tests.Loading;

/// <summary>
/// Grammar-aware fuzzing of the manifest loader (every kind: Isle, Network, Volume, Source) and the daemon's config
/// loader: a valid file that sets every field, with one field broken (a random YAML value in its place, removed,
/// renamed, wrapped or doubled), often then byte-mutated (<see cref="ManifestFuzzTests.Mutate"/>). The loader never
/// throws and answers each input in bounded time; every problem names the file, a line and column inside the text and
/// the field (or says it is about the whole text), and says what to do; what it accepts writes back
/// (<see cref="ManifestWriter"/>) to a manifest that loads to the same objects.
/// </summary>
public class ManifestGrammarFuzzTests
{
    static readonly string EveryField = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "testdata", "schema", "every-field.yaml"));

    const string EveryConfigField = DaemonConfigLoaderTests.EveryField;

    /// <summary>A seed file with one field broken, then 0–2 byte-level mutations.</summary>
    static Gen<string> Broken(string seed) =>
        Gen.Select(Gen.Int, FuzzValues.YamlValue(), Gen.Int[0, 5], Gen.Int, (choice, value, mutations, random) =>
        {
            var text = FuzzValues.BreakOneField(seed, choice, value);
            var r = new Random(random);
            for (int m = mutations - 3; m > 0; m--) text = ManifestFuzzTests.Mutate(r, text); // half of the cases stay well-formed YAML
            return text;
        });

    /// <summary>Random YAML structures with no relation to a manifest, and manifests whose spec is one.</summary>
    static readonly Gen<string> Random = Gen.Select(FuzzValues.YamlValue(4), Gen.OneOf("Isle", "Network", "Volume", "Source", "Bogus"), Gen.Bool, (value, kind, wrap) =>
    {
        var stream = new YamlDotNet.RepresentationModel.YamlStream(new YamlDotNet.RepresentationModel.YamlDocument(wrap
            ? new YamlDotNet.RepresentationModel.YamlMappingNode(
                new YamlDotNet.RepresentationModel.YamlScalarNode("apiVersion"), new YamlDotNet.RepresentationModel.YamlScalarNode("islander.io/v1"),
                new YamlDotNet.RepresentationModel.YamlScalarNode("kind"), new YamlDotNet.RepresentationModel.YamlScalarNode(kind),
                new YamlDotNet.RepresentationModel.YamlScalarNode("metadata"), new YamlDotNet.RepresentationModel.YamlMappingNode(
                    new YamlDotNet.RepresentationModel.YamlScalarNode("name"), new YamlDotNet.RepresentationModel.YamlScalarNode("x")),
                new YamlDotNet.RepresentationModel.YamlScalarNode("spec"), value)
            : value));
        var writer = new StringWriter();
        stream.Save(writer, assignAnchors: false);
        return writer.ToString();
    });

    [Fact]
    public void Load_EveryKindWithOneFieldBroken_NeverThrowsAndEveryProblemSaysWhereAndWhatToDo()
    {
        var run = Fuzz.Run("manifest-grammar", Gen.Frequency((4, Broken(EveryField)), (1, Random)), CheckManifest, 3000);
        Assert.True(run >= 300, $"only {run} inputs");
    }

    [Fact]
    public void LoadConfig_OneFieldBroken_NeverThrowsAndEveryProblemSaysWhereAndWhatToDo()
    {
        var run = Fuzz.Run("daemon-config", Gen.Frequency((4, Broken(EveryConfigField)), (1, Random)), CheckConfig, 3000);
        Assert.True(run >= 300, $"only {run} inputs");
    }

    internal static void CheckManifest(string text)
    {
        var result = ManifestLoader.Load(text, "fuzz.yaml", Islander.Drivers.DriverCatalogs.Known);
        CheckDiagnostics(text, result.Diagnostics);
        if (result.Diagnostics.Count > 0) return;
        foreach (var manifest in result.Objects)
        {
            if (manifest is SourceManifest) continue; // the writer writes isles, networks and volumes
            var json = ManifestWriter.WriteJson(manifest);
            var back = ManifestLoader.Load(json, "back.json", Islander.Drivers.DriverCatalogs.Known);
            Assert.True(back.Diagnostics.Count == 0 && back.Objects.Count == 1, $"{manifest.Key} written back does not load: {string.Join("; ", back.Diagnostics)}\n--- written:\n{json}");
            Assert.Equal(json, ManifestWriter.WriteJson(back.Objects[0]));
        }
    }

    static void CheckConfig(string text) => CheckDiagnostics(text, DaemonConfigLoader.Load(text, "fuzz.yaml").Problems);

    static void CheckDiagnostics(string text, IReadOnlyList<Diagnostic> diagnostics)
    {
        int lines = text.Split('\n').Length;
        foreach (var d in diagnostics)
        {
            Assert.Equal("fuzz.yaml", d.File);
            Assert.True(d.Line >= 1 && d.Line <= lines + 1 && d.Column >= 1, $"{d} is outside the text ({lines} lines)");
            Assert.True(d.Message.Length is > 0 and < 1000, $"{d}");
            Assert.True(d.Field.Length > 0 || WholeText(d.Message), $"no field in \"{d}\"");
            Assert.True(SaysWhatToDo(d.Message), $"\"{d}\" does not say what to do");
        }
    }

    static bool WholeText(string message) =>
        message.StartsWith("expected a mapping of fields", StringComparison.Ordinal) || message.StartsWith("a key must be a plain name", StringComparison.Ordinal)
        || message.StartsWith("YAML syntax error", StringComparison.Ordinal) || message.Contains("more problem(s) not shown", StringComparison.Ordinal)
        || message.Contains("documents in one file", StringComparison.Ordinal) || message.StartsWith("the file is", StringComparison.Ordinal)
        || message.StartsWith("lists and mappings are nested", StringComparison.Ordinal) || message.StartsWith("a config file holds one document", StringComparison.Ordinal)
        || message.StartsWith("more than", StringComparison.Ordinal);

    /// <summary>
    /// A remedy: after a "; ", or a message that names what is accepted ("expected a whole number from 1 to 64", "is not one
    /// of Retain, Delete"). YamlDotNet's syntax errors say what it expected in its own words.
    /// </summary>
    static bool SaysWhatToDo(string message) =>
        message.Contains("; ", StringComparison.Ordinal) || message.StartsWith("YAML syntax error", StringComparison.Ordinal)
        || message.Contains("expected ", StringComparison.Ordinal) || message.Contains("is not one of ", StringComparison.Ordinal)
        || Instructions.Any(i => message.StartsWith(i, StringComparison.Ordinal) || message.Contains(": " + i, StringComparison.Ordinal))
        || message.Contains(" e.g. ", StringComparison.Ordinal) || message.Contains(" (letters", StringComparison.Ordinal);

    static readonly string[] Instructions = ["write ", "give ", "set ", "add ", "remove ", "use "];
}
