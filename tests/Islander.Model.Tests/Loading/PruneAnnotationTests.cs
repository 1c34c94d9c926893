namespace Islander.Model.Tests.Loading;

/// <summary><c>islander.io/prune</c>: a misspelt value is refused at its line, never read as "prune it".</summary>
public class PruneAnnotationTests
{
    static ManifestLoadResult<Manifest> Load(string value) => ManifestLoader.Load($"""
        apiVersion: islander.io/v1
        kind: Isle
        metadata:
          name: web
          annotations:
            islander.io/prune: {value}
        spec:
          image: busybox
        """, "web.yaml", Islander.Drivers.DriverCatalogs.Known);

    [Theory]
    [InlineData("disabled", true)]
    [InlineData("enabled", false)]
    public void Load_PruneSetting_Read(string value, bool kept)
    {
        var web = Assert.Single(Load(value).Objects);

        Assert.Equal(kept, ObjectAnnotations.KeepsWhenManifestGoes(web.Metadata.Annotations));
    }

    [Fact]
    public void Load_PruneSettingMisspelt_RefusedAtItsLine()
    {
        var result = Load("disable");

        Assert.Empty(result.Objects);
        var problem = Assert.Single(result.Diagnostics);
        Assert.Equal(6, problem.Line);
        Assert.Equal("metadata.annotations.islander.io/prune", problem.Field);
        Assert.Contains("\"disable\" is not a prune setting; use disabled", problem.Message);
    }
}
