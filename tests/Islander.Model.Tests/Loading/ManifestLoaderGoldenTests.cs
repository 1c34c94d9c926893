namespace Islander.Model.Tests.Loading;

/// <summary>
/// testdata/manifests/NAME.yaml → NAME.expected: the diagnostics, one per line, or "(no diagnostics)".
/// Set ISLANDER_UPDATE_GOLDEN=1 to rewrite the .expected files from the current output (then review the diff).
/// </summary>
public class ManifestLoaderGoldenTests
{
    private static readonly string Directory = Path.Combine(AppContext.BaseDirectory, "testdata", "manifests");

    public static TheoryData<string> Cases() =>
        new(System.IO.Directory.GetFiles(Directory, "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Load_GoldenManifest_MatchesExpectedDiagnostics(string file)
    {
        var result = ManifestLoader.Load(File.ReadAllText(Path.Combine(Directory, file)), file, Islander.Drivers.DriverCatalogs.Known);
        var actual = result.Diagnostics.Count == 0 ? "(no diagnostics)\n" : string.Join("", result.Diagnostics.Select(d => d + "\n"));

        var expectedPath = Path.Combine(Directory, Path.ChangeExtension(file, ".expected"));
        if (Environment.GetEnvironmentVariable("ISLANDER_UPDATE_GOLDEN") == "1")
        {
            var source = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../testdata/manifests", Path.GetFileName(expectedPath)));
            File.WriteAllText(source, actual);
            return;
        }
        Assert.Equal(File.Exists(expectedPath) ? File.ReadAllText(expectedPath) : "(missing .expected file)", actual);
    }
}
