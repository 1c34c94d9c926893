namespace Islander.Model.Tests.Loading;

/// <summary><c>stdin</c> and <c>tty</c> in an isle's spec (Docker's -i and -t, Kubernetes' stdin and tty).</summary>
public sealed class IsleTerminalTests
{
    static ManifestLoadResult<Manifest> Load(string fields) => ManifestLoader.Load(
        $"apiVersion: islander.io/v1\nkind: Isle\nmetadata: {{name: t}}\nspec:\n  image: busybox\n{fields}", "t.yaml",
        Islander.Drivers.DriverCatalogs.Known);

    [Theory]
    [InlineData("", false, false)]
    [InlineData("  stdin: true\n", true, false)]
    [InlineData("  tty: true\n", false, true)]
    [InlineData("  stdin: true\n  tty: true\n", true, true)]
    [InlineData("  stdin: false\n  tty: false\n", false, false)]
    public void Load_StdinAndTty_Read(string fields, bool stdin, bool tty)
    {
        var result = Load(fields);

        Assert.Empty(result.Diagnostics);
        var spec = Assert.IsType<IsleManifest>(Assert.Single(result.Objects)).Spec;
        Assert.Equal((stdin, tty), (spec.Stdin, spec.Tty));
    }

    [Theory]
    [InlineData("  tty: yes please\n", 6, 8, "spec.tty")]
    [InlineData("  stdin: [true]\n", 6, 10, "spec.stdin")]
    [InlineData("  interactive: true\n", 6, 3, "spec.interactive")]
    public void Load_BadStdinOrTty_FileLineField(string fields, int line, int column, string field)
    {
        var d = Assert.Single(Load(fields).Diagnostics);

        Assert.Equal(("t.yaml", line, column, field), (d.File, d.Line, d.Column, d.Field));
    }

    [Fact]
    public void Write_StdinAndTty_RoundTrip()
    {
        var spec = new IsleSpec { Image = "busybox", Stdin = true, Tty = true };
        var yaml = ManifestWriter.WriteJson(new IsleManifest(new ObjectMeta("t"), spec, ManifestSource.None));

        var loaded = Assert.IsType<IsleManifest>(Assert.Single(ManifestLoader.Load(yaml, "t.yaml", Islander.Drivers.DriverCatalogs.Known).Objects)).Spec;
        Assert.True(loaded.Stdin && loaded.Tty);
    }

    [Fact]
    public void SpecHash_WithoutStdinOrTty_Unchanged() =>
        // Isles from before these fields keep their hash: an upgrade recreates none.
        Assert.DoesNotContain("Stdin", SpecHash.CanonicalJson(new IsleSpec { Image = "busybox" }), StringComparison.OrdinalIgnoreCase);
}
