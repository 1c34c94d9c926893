using Islander.Drivers.Images;
using Islander.Model;

namespace Islander.Drivers.Tests.Images;

public class PlatformSelectorTests
{
    static OciDescriptor M(string digitChar, string os, string arch, string? variant = null, string mediaType = MediaTypes.OciManifest) => new()
    {
        MediaType = mediaType,
        Digest = "sha256:" + new string(digitChar[0], 64),
        Size = 100,
        Platform = new OciPlatform { Os = os, Architecture = arch, Variant = variant },
    };

    static readonly OciPlatform Amd64 = new() { Os = "linux", Architecture = "amd64" };

    [Fact]
    public void Select_MultiArchIndex_PicksLinuxAmd64()
    {
        var index = new OciIndex { Manifests = [M("a", "linux", "arm64", "v8"), M("b", "windows", "amd64"), M("c", "linux", "amd64"), M("d", "linux", "s390x")] };

        Assert.Equal("sha256:" + new string('c', 64), PlatformSelector.Select(index, Amd64).Digest);
    }

    [Fact]
    public void Select_DockerManifestList_Works()
    {
        var index = new OciIndex { MediaType = MediaTypes.DockerManifestList, Manifests = [M("e", "linux", "amd64", mediaType: MediaTypes.DockerManifest)] };

        Assert.Equal('e', PlatformSelector.Select(index, Amd64).Digest[^1]);
    }

    [Fact]
    public void Select_AttestationsWithUnknownPlatform_Ignored()
    {
        var index = new OciIndex { Manifests = [M("f", "unknown", "unknown"), M("1", "linux", "amd64")] };

        Assert.Equal('1', PlatformSelector.Select(index, Amd64).Digest[^1]);
    }

    [Fact]
    public void Select_VariantWanted_ExactVariantBeatsNone()
    {
        var arm = new OciPlatform { Os = "linux", Architecture = "arm64", Variant = "v8" };
        var index = new OciIndex { Manifests = [M("2", "linux", "arm64"), M("3", "linux", "arm64", "v8")] };

        Assert.Equal('3', PlatformSelector.Select(index, arm).Digest[^1]);
        Assert.Equal('2', PlatformSelector.Select(new OciIndex { Manifests = [M("2", "linux", "arm64")] }, arm).Digest[^1]);
    }

    [Fact]
    public void Select_NoMatch_NotFoundListsPlatforms()
    {
        var index = new OciIndex { Manifests = [M("a", "linux", "arm64", "v8")] };

        var e = Assert.Throws<IslanderException>(() => PlatformSelector.Select(index, Amd64));

        Assert.Equal(ErrorCategory.NotFound, e.Category);
        Assert.Contains("linux/arm64/v8", e.Message);
    }

    [Fact]
    public void Current_OnThisMachine_IsLinux()
    {
        Assert.Equal("linux", PlatformSelector.Current.Os);
        Assert.False(string.IsNullOrEmpty(PlatformSelector.Current.Architecture));
    }
}
