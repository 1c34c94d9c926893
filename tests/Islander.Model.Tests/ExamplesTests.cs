using Islander.Model;

namespace Islander.Model.Tests;

/// <summary>The shipped examples and manifests are valid: what the README tells users to run loads without a diagnostic.</summary>
public class ExamplesTests
{
    public static TheoryData<string> Files()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "Islander.sln")))
            root = root.Parent!;
        var data = new TheoryData<string>();
        foreach (var dir in new[] { "examples", "manifests" })
            foreach (var file in Directory.EnumerateFiles(Path.Combine(root.FullName, dir), "*.yaml"))
                data.Add(file);
        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Load_ShippedManifest_HasNoDiagnostics(string file)
    {
        var result = ManifestLoader.Load(File.ReadAllText(file), file, Islander.Drivers.DriverCatalogs.Known);

        Assert.Empty(result.Diagnostics);
        Assert.NotEmpty(result.Objects);
    }
}
