using Islander.Drivers.Images;

namespace Islander.Integration.Tests.Images;

/// <summary>A Debian 13 (trixie) root filesystem made by debootstrap on this Debian 12 host, imported as an image.</summary>
[Collection(ImagesCollection.Name)]
public sealed class RootfsImportTests : IDisposable
{
    readonly string state = Directory.CreateTempSubdirectory("islander-images-").FullName;

    public void Dispose() => Directory.Delete(state, recursive: true);

    [Fact]
    public async Task Import_DebootstrapTrixieTarball_ResolvesToLayerWithTrixieOsRelease()
    {
        Tools.RequireRootAndTools("debootstrap");
        string tarball = ImageFixtures.TrixieTarball;
        var store = ImageFixtures.Store(Path.Combine(state, "images"));

        var info = await store.ImportAsync(tarball, "local/debian:trixie", null, CancellationToken.None);
        var image = store.Resolve("local/debian:trixie");

        string layer = Assert.Single(image.LayerDirs);
        string osRelease = File.ReadAllText(Path.Combine(layer, "etc/os-release"));
        Assert.Contains("VERSION_CODENAME=trixie", osRelease);
        Assert.True(File.Exists(Path.Combine(layer, "usr/bin/bash")));
        Assert.Equal("usr/bin", new FileInfo(Path.Combine(layer, "bin")).LinkTarget); // merged /usr
        Assert.Equal(["docker.io/local/debian:trixie"], info.Names);
        Assert.True(info.Size > 50_000_000);
    }
}
