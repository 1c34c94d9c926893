using System.Text.Json;
using System.Text.Json.Nodes;
using Islander.Model;
using Json.Schema;

namespace Islander.Model.Tests.Schema;

/// <summary>
/// docs/manifest.schema.json is the generator's output, and a real JSON Schema validator (JsonSchema.Net) reading it
/// agrees with the loader: it accepts every object the loader accepts (the shipped examples and manifests, every valid
/// object of the golden files, a manifest with every field) and refuses what the loader refuses in testdata/schema/bad.yaml.
/// </summary>
public class ManifestSchemaTests
{
    private const string Regenerate =
        "ISLANDER_WRITE_SCHEMA=1 dotnet test -c Release --project tests/Islander.Model.Tests --filter-method '*Schema_MatchesCommittedFile'";

    private static readonly DriverCatalog Drivers = Islander.Drivers.DriverCatalogs.Known;
    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(File.ReadAllText(Path.Combine(RepoRoot(), ManifestSchema.DocsPath))));
    private static readonly string TestData = Path.Combine(AppContext.BaseDirectory, "testdata");

    [Fact]
    public void Schema_MatchesCommittedFile()
    {
        var generated = ManifestSchema.Generate(Drivers);
        var path = Path.Combine(RepoRoot(), ManifestSchema.DocsPath);
        if (Environment.GetEnvironmentVariable("ISLANDER_WRITE_SCHEMA") == "1") File.WriteAllText(path, generated);
        var committed = File.Exists(path) ? File.ReadAllText(path).ReplaceLineEndings("\n") : "(missing)";

        if (committed != generated)
            Assert.Fail($"{ManifestSchema.DocsPath} is not what the loader's rules give. Regenerate it with\n  {Regenerate}\nand review its diff.");
    }

    public static TheoryData<string> ValidFiles()
    {
        var data = new TheoryData<string>();
        foreach (var dir in new[] { "examples", "manifests" })
            foreach (var file in Directory.EnumerateFiles(Path.Combine(RepoRoot(), dir), "*.yaml").Order(StringComparer.Ordinal))
                data.Add(Path.GetRelativePath(RepoRoot(), file));
        foreach (var file in Directory.EnumerateFiles(Path.Combine(TestData, "manifests"), "*.yaml").Order(StringComparer.Ordinal))
            data.Add(Path.Combine("testdata", "manifests", Path.GetFileName(file)));
        data.Add(Path.Combine("testdata", "schema", "every-field.yaml"));
        return data;
    }

    /// <summary>No false alarm in an editor: every object the loader accepts, the schema accepts; and what the schema refuses, the loader refuses.</summary>
    [Theory]
    [MemberData(nameof(ValidFiles))]
    public void Schema_AcceptsEveryObjectTheLoaderAccepts(string file)
    {
        var path = file.StartsWith("testdata", StringComparison.Ordinal) ? Path.Combine(AppContext.BaseDirectory, file) : Path.Combine(RepoRoot(), file);
        var text = File.ReadAllText(path);
        var loaded = ManifestLoader.Load(text, file, Drivers);
        IReadOnlyList<JsonNode?> documents;
        try
        {
            documents = YamlJson.Documents(text);
        }
        catch (Exception e) when (e is YamlDotNet.Core.YamlException or InvalidOperationException)
        {
            // Not YAML an editor can read (a syntax error, a duplicate key, an alias to another document): the editor
            // reports that, not the schema; the loader must refuse it too.
            Assert.NotEmpty(loaded.Diagnostics);
            return;
        }
        var accepted = loaded.Objects.Select(o => o.Source.Document).ToHashSet();

        for (var i = 0; i < documents.Count; i++)
        {
            if (documents[i] is null) continue;
            var (valid, errors) = Validate(documents[i]!);
            if (accepted.Contains(i)) Assert.True(valid, $"{file}: document {i + 1} loads, and the schema refuses it:\n{errors}");
            if (!valid) Assert.DoesNotContain(i, accepted);
        }
        if (file.Contains("every-field", StringComparison.Ordinal))
        {
            Assert.Empty(loaded.Diagnostics);
            Assert.Equal(documents.Count(d => d is not null), accepted.Count);
        }
    }

    /// <summary>The documents of testdata/schema/bad.yaml, each loaded alone; the comment that ends its head says what is wrong with it.</summary>
    private static readonly Lazy<string[]> Bad = new(() => File.ReadAllText(Path.Combine(TestData, "schema", "bad.yaml")).Split("\n---\n"));

    public static TheoryData<int, string> BadDocuments()
    {
        var data = new TheoryData<int, string>();
        for (var i = 0; i < Bad.Value.Length; i++)
            data.Add(i + 1, Bad.Value[i].Split('\n').Last(l => l.StartsWith('#')).TrimStart('#', ' '));
        return data;
    }

    [Theory]
    [MemberData(nameof(BadDocuments))]
    public void Schema_RefusesWhatTheLoaderRefuses(int document, string why)
    {
        var text = Bad.Value[document - 1];
        var loaded = ManifestLoader.Load(text, "bad.yaml", Drivers);
        var (valid, _) = Validate(YamlJson.Documents(text).Single()!);

        // One problem each: a document refused for something else would not test what its comment says.
        Assert.True(loaded.Diagnostics.Count == 1 && loaded.Objects.Count == 0, $"document {document} ({why}): the loader says {string.Join("; ", loaded.Diagnostics)}");
        Assert.False(valid, $"the schema accepts document {document} of bad.yaml ({why}), which the loader refuses: {loaded.Diagnostics[0]}");
    }

    /// <summary>The patterns the schema takes from the Model say yes exactly where the Model's parsers do.</summary>
    [Theory]
    [InlineData("64Mi", true), InlineData("512m", true), InlineData("1G", true), InlineData("1048576", true), InlineData("1.5Gi", true)]
    [InlineData("1e3", true), InlineData("1E", true), InlineData("+1k", true), InlineData("1.", true), InlineData(".5Ki", true), InlineData("12b", true)]
    [InlineData("1e-3", true), InlineData("2tb", true), InlineData("3Ei", true)]
    [InlineData("64MB", false), InlineData("64MiB", false), InlineData("64Q", false), InlineData("-1", false), InlineData("", false)]
    [InlineData(".", false), InlineData("1e", false), InlineData("1Kb", false), InlineData("1p", false), InlineData("Mi", false), InlineData("1 Mi", false)]
    public void BytesPattern_AgreesWithTheParser(string text, bool valid)
    {
        Assert.Equal(valid, Quantity.TryParseBytes(text, out _, out _));
        Assert.Equal(valid, System.Text.RegularExpressions.Regex.IsMatch(text, Quantity.BytesPattern));
    }

    [Theory]
    [InlineData("0.5", true), InlineData("1", true), InlineData("1.25", true), InlineData("500m", true), InlineData("1.2340", true), InlineData("1.", true)]
    [InlineData(".5", true), InlineData("1.0m", true), InlineData("+2", true)]
    [InlineData("0.5m", false), InlineData("1.2345", false), InlineData("1Gi", false), InlineData("-1", false), InlineData(".", false), InlineData("m", false)]
    public void CpuPattern_AgreesWithTheParser(string text, bool valid)
    {
        Assert.Equal(valid, Quantity.TryParseCpuMillis(text, out _, out _));
        Assert.Equal(valid, System.Text.RegularExpressions.Regex.IsMatch(text, Quantity.CpuPattern));
    }

    private static (bool Valid, string Errors) Validate(JsonNode document)
    {
        var result = Schema.Value.Evaluate(JsonSerializer.SerializeToElement(document), new EvaluationOptions { OutputFormat = OutputFormat.List });
        var errors = string.Join("\n", (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"  {d.InstanceLocation}: {e.Value} ({d.EvaluationPath})")));
        return (result.IsValid, errors);
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Islander.sln"))) return dir.FullName;
        throw new InvalidOperationException("Islander.sln not found above " + AppContext.BaseDirectory);
    }
}
