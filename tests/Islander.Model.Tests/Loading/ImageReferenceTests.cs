using Islander.Model;

namespace Islander.Model.Tests.Loading;

public class ImageReferenceTests
{
    const string D = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData("busybox", "docker.io", "library/busybox", "latest", null)]
    [InlineData("busybox:1.36", "docker.io", "library/busybox", "1.36", null)]
    [InlineData("team/app", "docker.io", "team/app", "latest", null)]
    [InlineData("docker.io/busybox", "docker.io", "library/busybox", "latest", null)]
    [InlineData("index.docker.io/library/busybox:1", "docker.io", "library/busybox", "1", null)]
    [InlineData("localhost:5000/team/app:1.2", "localhost:5000", "team/app", "1.2", null)]
    [InlineData("localhost/app", "localhost", "app", "latest", null)]
    [InlineData("127.0.0.1:5000/busybox", "127.0.0.1:5000", "busybox", "latest", null)]
    [InlineData("registry.example:5000/a/b/c:v1", "registry.example:5000", "a/b/c", "v1", null)]
    [InlineData("ghcr.io/owner/img@" + D, "ghcr.io", "owner/img", null, D)]
    [InlineData("busybox:1.36@" + D, "docker.io", "library/busybox", "1.36", D)]
    [InlineData("[::1]:5000/app", "[::1]:5000", "app", "latest", null)]
    [InlineData("quay.io/a_b/c-d__e.f", "quay.io", "a_b/c-d__e.f", "latest", null)]
    public void Parse_DockerForms_Normalizes(string text, string registry, string repository, string? tag, string? digest)
    {
        var r = ImageReference.Parse(text);

        Assert.Equal(new ImageReference(registry, repository, tag, digest), r);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Busybox")]
    [InlineData("busybox:")]
    [InlineData("busybox:-bad")]
    [InlineData("busybox@sha256:abc")]
    [InlineData("busybox@md5:0123456789abcdef0123456789abcdef")]
    [InlineData("a//b")]
    [InlineData("/busybox")]
    [InlineData("localhost:5000/")]
    [InlineData("team/-app")]
    [InlineData("bad host:5000/app")]
    public void Parse_Invalid_ThrowsInvalidManifest(string text)
    {
        var e = Assert.Throws<IslanderException>(() => ImageReference.Parse(text));

        Assert.Equal(ErrorCategory.InvalidManifest, e.Category);
    }

    [Theory]
    [InlineData("busybox", "docker.io/library/busybox:latest", "busybox:latest")]
    [InlineData("team/app:2", "docker.io/team/app:2", "team/app:2")]
    [InlineData("localhost:5000/app:1", "localhost:5000/app:1", "localhost:5000/app:1")]
    public void ToString_FullAndFamiliar(string text, string full, string familiar)
    {
        var r = ImageReference.Parse(text);

        Assert.Equal(full, r.ToString());
        Assert.Equal(familiar, r.Familiar());
        Assert.Equal(r, ImageReference.Parse(r.ToString()));
    }

    [Fact]
    public void ApiHost_DockerHub_IsRegistry1()
    {
        Assert.Equal("registry-1.docker.io", ImageReference.Parse("busybox").ApiHost);
        Assert.Equal("localhost:5000", ImageReference.Parse("localhost:5000/x").ApiHost);
    }

    [Fact]
    public void ManifestReference_DigestWinsOverTag()
    {
        Assert.Equal(D, ImageReference.Parse("busybox:1@" + D).ManifestReference);
        Assert.Equal("1", ImageReference.Parse("busybox:1").ManifestReference);
    }

    // distribution/reference's limits, at the edge: the name (as written, before the tag) 255 characters, the tag 128.
    public static TheoryData<string, bool> Limits => new()
    {
        { new string('a', 255), true },
        { new string('a', 256), false },
        { "registry.example/" + new string('a', 238), true },
        { "registry.example/" + new string('a', 239), false },
        { "busybox:" + new string('t', 128), true },
        { "busybox:" + new string('t', 129), false },
        { "busybox:1.36\n", false },
        { "busybox:é", false },
        { "busybox@sha256:" + new string('A', 64), false },
        { "busybox@sha512:" + new string('a', 128), false },
        { "busybox@sha256:" + new string('a', 63), false },
        { "busybox@sha256:" + new string('a', 64), true },
    };

    [Theory]
    [MemberData(nameof(Limits))]
    public void TryParse_Limits_AsDistributionReference(string text, bool valid)
    {
        Assert.Equal(valid, ImageReference.TryParse(text, out _));
    }

    /// <summary>The manifest's image field and a pull use the same rule: what a manifest accepts can be pulled.</summary>
    [Theory]
    [MemberData(nameof(Limits))]
    public void ManifestImage_Limits_SameAsPull(string text, bool valid)
    {
        var yaml = "apiVersion: islander.io/v1\nkind: Isle\nmetadata: {name: web}\nspec:\n  image: \"" + text.Replace("\n", "\\n") + "\"\n";

        var result = ManifestLoader.Load(yaml, "web.yaml", Islander.Drivers.DriverCatalogs.Known);

        Assert.Equal(valid, !result.Diagnostics.Any(d => d.Field == "spec.image"));
    }

    [Fact]
    public void ManifestImage_UnknownDigestAlgorithm_SaysWhy()
    {
        var yaml = "apiVersion: islander.io/v1\nkind: Isle\nmetadata: {name: web}\nspec:\n  image: alpine@md5:0123456789abcdef0123456789abcdef\n";

        var d = Assert.Single(ManifestLoader.Load(yaml, "web.yaml", Islander.Drivers.DriverCatalogs.Known).Diagnostics);

        Assert.Equal("web.yaml:5:10: spec.image: \"alpine@md5:0123456789abcdef0123456789abcdef\" is not an image reference; invalid digest \"md5:0123456789abcdef0123456789abcdef\" "
            + "(want sha256:<64 lower-case hex digits>); use a reference such as busybox:1.36, localhost:5000/app:v1 or alpine@sha256:<64 hex digits>", d.ToString());
    }
}
