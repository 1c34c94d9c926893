using System.Text;
using System.Text.Json.Nodes;
using Islander.Drivers.Images;
using Islander.Model;

namespace Islander.Drivers.Tests.Images;

/// <summary>The archives the image fuzz tests found mishandled (<see cref="TarFuzzTests"/>, <see cref="ImageArchiveFuzzTests"/>), each as it failed.</summary>
public sealed class FuzzFoundTests : IDisposable
{
    readonly TempDir temp = new();

    public void Dispose() => temp.Dispose();

    /// <summary>A PAX archive whose extended-attributes header (the first, before the file's) says its data is 8 GiB.</summary>
    static byte[] LyingPaxHeader()
    {
        var bytes = new TestTar().File("a", "x", pax: [new("user.comment", "hi")]).Bytes();
        Assert.Equal((byte)'x', bytes[156]); // the PAX header's type
        Encoding.ASCII.GetBytes("77777777777").CopyTo(bytes, 124);
        return bytes;
    }

    [Fact]
    public void Unpack_PaxHeaderSizeLies_RefusedAsCorrupt()
    {
        Directory.CreateDirectory(temp["root"]);

        // TarReader's InvalidOperationException came through as it was: an internal error, not a refused layer.
        var e = Assert.Throws<IslanderException>(() => TarUnpacker.Unpack(new MemoryStream(LyingPaxHeader()), temp["root"], UnpackOptions.Archive, TestContext.Current.CancellationToken));

        Assert.Equal(ErrorCategory.InvalidManifest, e.Category);
        Assert.Contains("not a valid tar archive", e.Message);
    }

    [Fact]
    public void Detect_PaxHeaderSizeLies_RefusedAsCorrupt()
    {
        File.WriteAllBytes(temp["a.tar"], LyingPaxHeader());

        var e = Assert.Throws<IslanderException>(() => ArchiveDetector.Detect(temp["a.tar"]));

        Assert.Contains("is not a tar archive", e.Message);
    }

    /// <summary>Imports the archive of <paramref name="c"/>: a refusal's message, or null when it imported. Never waits past 60s.</summary>
    async Task<string?> ImportAsync(ImageArchiveFuzzTests.Case c)
    {
        Directory.CreateDirectory(temp["outside"]);
        File.WriteAllBytes(temp["a.tar"], ImageArchiveFuzzTests.Build(c, temp["outside"]));
        var store = new OciImageStore(temp["store"], new RegistryClient(RegistryClient.CreateHttpClient(new FakeRegistry()), RegistryCredentials.None, new RegistryOptions()));
        try
        {
            await store.ImportAsync(temp["a.tar"], null, null, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            return null;
        }
        catch (IslanderException e)
        {
            Assert.Equal(ErrorCategory.InvalidManifest, e.Category);
            return e.Message;
        }
    }

    [Theory]
    [InlineData(false, 1)] // manifest.json a directory: UnauthorizedAccessException
    [InlineData(true, 2)] // index.json a fifo: the import waited forever
    [InlineData(false, 3)] // manifest.json a symlink to /dev/zero: read forever
    [InlineData(true, 4)] // index.json a symlink out of the archive: read the host's file
    public async Task Import_DocumentThatIsNotAFileInTheArchive_Refused(bool oci, int hostile)
    {
        var message = await ImportAsync(new ImageArchiveFuzzTests.Case(oci, 0, 2, 0, null, hostile));

        Assert.Contains("is not a file in the archive", message);
    }

    [Theory]
    [InlineData("[{\"Config\":\"config.json\",\"Layers\":null}]")]
    [InlineData("[{\"Config\":\"config.json\",\"Layers\":[\"layer.tar\"],\"RepoTags\":[null]}]")]
    [InlineData("[null]")]
    [InlineData("[{\"Config\":null,\"Layers\":[\"layer.tar\"]}]")]
    public async Task Import_DockerSaveManifestWithNulls_Refused(string manifest)
    {
        // NullReferenceException or ArgumentNullException before.
        var message = await ImportAsync(new ImageArchiveFuzzTests.Case(false, 0, 0, 0, JsonNode.Parse(manifest), 0));

        Assert.Contains("null where", message);
    }

    [Fact]
    public async Task Import_OciIndexWithANullAnnotation_Imported()
    {
        // The io.containerd.image.name annotation set to null: NullReferenceException before.
        var message = await ImportAsync(new ImageArchiveFuzzTests.Case(true, 0, 9, int.MaxValue, null, 0));

        Assert.Null(message);
    }
}
