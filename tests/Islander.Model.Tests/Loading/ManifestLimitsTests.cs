using System.Text;

namespace Islander.Model.Tests.Loading;

/// <summary>Input that once overflowed the stack or filled memory: each becomes one diagnostic with file, line and field.</summary>
public class ManifestLimitsTests
{
    const string Isle = "apiVersion: islander.io/v1\nkind: Isle\nmetadata:\n  name: web\n";

    [Fact]
    public void Load_LabelsNested30000Deep_OneDiagnosticAtTheLimit()
    {
        // The 60 KB file that ended islanderd with a stack overflow in YamlTreeReader.ReadNode.
        var text = Isle + "  labels: " + new string('[', 30_000) + new string(']', 30_000) + "\nspec:\n  image: busybox\n";

        var result = ManifestLoader.Load(text, "deep.yaml", Islander.Drivers.DriverCatalogs.Known);

        var d = Assert.Single(result.Diagnostics);
        Assert.Equal("deep.yaml", d.File);
        Assert.Equal(5, d.Line);
        Assert.StartsWith("metadata.labels[0][0][0]", d.Field);
        Assert.Contains($"nested more than {ManifestLimits.MaxDepth} levels", d.Message);
        Assert.False(result.IsComplete);
        Assert.Empty(result.Objects);
    }

    [Fact]
    public void Load_100000OpenBrackets_OneDiagnostic()
    {
        var result = ManifestLoader.Load(new string('[', 100_000), "<stdin>", Islander.Drivers.DriverCatalogs.Known);

        var d = Assert.Single(result.Diagnostics);
        Assert.Equal((1, ManifestLimits.MaxDepth + 1), (d.Line, d.Column));
        Assert.Contains("nested more than", d.Message);
        Assert.False(result.IsComplete);
    }

    [Fact]
    public void Load_BlockMappingsNested1000Deep_OneDiagnostic()
    {
        var text = new StringBuilder();
        for (int i = 0; i < 1000; i++) text.Append(' ', i).Append("a:\n");
        var result = ManifestLoader.Load(text.ToString(), "block.yaml", Islander.Drivers.DriverCatalogs.Known);

        var d = Assert.Single(result.Diagnostics);
        Assert.Equal(ManifestLimits.MaxDepth + 1, d.Line);
        Assert.StartsWith("a.a.a", d.Field);
    }

    [Fact]
    public void Load_NestedAsDeepAsAllowed_ReadsTheObject()
    {
        int depth = ManifestLimits.MaxDepth - 3; // the document, metadata and labels are levels too
        var text = Isle + "  labels: {}\nspec:\n  image: busybox\n  command: [sh]\nstatus: " + new string('[', depth) + new string(']', depth) + "\n";

        var result = ManifestLoader.Load(text, "ok.yaml", Islander.Drivers.DriverCatalogs.Known);

        Assert.Empty(result.Diagnostics);
        Assert.Single(result.Objects);
    }

    [Fact]
    public void Load_LargerThanTheFileLimit_OneDiagnosticThatSaysWhatToDo()
    {
        var text = Isle + "  labels:\n    big: \"" + new string('x', ManifestLimits.MaxFileBytes) + "\"\nspec:\n  image: busybox\n";

        var result = ManifestLoader.Load(text, "big.yaml", Islander.Drivers.DriverCatalogs.Known);

        var d = Assert.Single(result.Diagnostics);
        Assert.Equal(("big.yaml", 1), (d.File, d.Line));
        Assert.Contains("8MiB", d.Message);
        Assert.Contains("split it into several files", d.Message);
        Assert.True(d.Message.Length < 300);
        Assert.False(result.IsComplete);
        Assert.Empty(result.Objects);
    }

    [Fact]
    public void Load_MoreDocumentsThanTheLimit_StopsThereAndPrunesNothing()
    {
        var text = new StringBuilder();
        for (int i = 0; i <= ManifestLimits.MaxDocuments; i++)
            text.Append($"---\napiVersion: islander.io/v1\nkind: Volume\nmetadata: {{name: v{i}}}\n");

        var result = ManifestLoader.Load(text.ToString(), "many.yaml", Islander.Drivers.DriverCatalogs.Known);

        var d = Assert.Single(result.Diagnostics);
        Assert.Equal(ManifestLimits.MaxDocuments * 4 + 1, d.Line);
        Assert.Contains($"more than {ManifestLimits.MaxDocuments} documents", d.Message);
        Assert.Equal(ManifestLimits.MaxDocuments, result.Objects.Count);
        Assert.False(result.IsComplete);
    }

    [Fact]
    public void Load_BillionLaughs_StopsAtTheValueLimit()
    {
        var text = new StringBuilder(Isle + "spec:\n  image: busybox\n  x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (int i = 1; i < 10; i++)
            text.Append($"  x{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]\n");

        var result = ManifestLoader.Load(text.ToString(), "laughs.yaml", Islander.Drivers.DriverCatalogs.Known);

        var d = Assert.Single(result.Diagnostics);
        Assert.StartsWith("spec.x", d.Field);
        Assert.Contains($"more than {ManifestLimits.MaxNodes} values", d.Message);
        Assert.False(result.IsComplete);
    }

    [Fact]
    public void Load_ThousandsOfMistakes_ReportsTheFirstAndCountsTheRest()
    {
        var text = Isle + "spec:\n  image: busybox\n  env:\n" + string.Concat(Enumerable.Range(0, 3000).Select(i => $"    - {{name: '{i}bad=', value: x}}\n"));

        var result = ManifestLoader.Load(text, "env.yaml", Islander.Drivers.DriverCatalogs.Known);

        Assert.Equal(ManifestLimits.MaxProblems + 1, result.Diagnostics.Count);
        Assert.Contains($"{3000 - ManifestLimits.MaxProblems} more problem(s) not shown", result.Diagnostics[^1].Message);
        Assert.Equal([new ObjectKey(ObjectKind.Isle, "web")], result.Rejected);
    }

    [Fact]
    public void Load_AHugeBadValue_IsQuotedAsAnExcerpt()
    {
        var value = new string('Q', 5 << 20);
        var text = Isle + "spec:\n  image: busybox\n  resources:\n    memory: \"" + value + "\"\n  " + value[..1000] + ": 1\n";

        var result = ManifestLoader.Load(text, "huge.yaml", Islander.Drivers.DriverCatalogs.Known);

        Assert.Equal(2, result.Diagnostics.Count);
        Assert.All(result.Diagnostics, d => Assert.InRange(d.ToString().Length, 1, 1000));
        Assert.Contains("more characters)", result.Diagnostics[0].Message);
        Assert.Equal("spec.resources.memory", result.Diagnostics[0].Field);
    }
}
