using Islander.Controller.Desired;

namespace Islander.Controller.Tests.Desired;

public sealed class ManifestFilesTests
{
    [Theory]
    [InlineData("web.yaml", true)]
    [InlineData("web.yml", true)]
    [InlineData("sub/web.yaml", true)]
    [InlineData(".web.yaml", false)]
    [InlineData(".git/web.yaml", false)]
    [InlineData("web.yaml~", false)]
    [InlineData(".web.yaml.swp", false)]
    [InlineData("web.yaml.swp", false)]
    [InlineData("#web.yaml#", false)]
    [InlineData("web.json", false)]
    [InlineData("README.md", false)]
    [InlineData("web.YAML", false)]
    public void IsManifest_Name_Decides(string relative, bool expected) =>
        Assert.Equal(expected, ManifestFiles.IsManifest("/etc/islander/manifests", "/etc/islander/manifests/" + relative));
}
