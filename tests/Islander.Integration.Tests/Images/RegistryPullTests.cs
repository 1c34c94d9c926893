using System.Text;
using Islander.Drivers.Images;
using Islander.Drivers.Interop;
using Islander.Drivers.Rootfs;
using Islander.Model;

namespace Islander.Integration.Tests.Images;

/// <summary>Pulls from a real docker-registry on 127.0.0.1, images built with umoci and pushed with skopeo.</summary>
[Collection(ImagesCollection.Name)]
public sealed class RegistryPullTests : IDisposable
{
    readonly string state = Directory.CreateTempSubdirectory("islander-images-").FullName;
    static readonly CancellationToken Ct = CancellationToken.None;

    public void Dispose() => Directory.Delete(state, recursive: true);

    static string ConfigJson(string host, string user, string password) =>
        "{\"auths\":{\"" + host + "\":{\"auth\":\"" + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")) + "\"}}}";

    [Fact]
    public async Task Pull_NoAuth_UnpacksLayersWithWhiteoutsAndConfig()
    {
        Tools.RequireRootAndTools("docker-registry", "skopeo", "umoci");
        await using var registry = await LocalRegistry.StartAsync();
        registry.Push(ImageFixtures.Busybox, "1.0", "busybox");
        var store = ImageFixtures.Store(Path.Combine(state, "images"));
        var progress = new List<ImageProgress>();

        var info = await store.PullAsync($"{registry.Host}/busybox:1.0", PullOptions.Default, new Collect(progress), Ct);
        var image = store.Resolve($"{registry.Host}/busybox:1.0");

        Assert.Equal(2, image.LayerDirs.Count);
        string top = image.LayerDirs[0], bottom = image.LayerDirs[1];
        Assert.True(File.Exists(Path.Combine(bottom, "bin/busybox")));
        Assert.Equal("busybox", new FileInfo(Path.Combine(bottom, "bin/sh")).LinkTarget);
        Assert.True(File.GetUnixFileMode(Path.Combine(bottom, "bin/busybox")).HasFlag(UnixFileMode.UserExecute));
        Assert.Equal("welcome\n", File.ReadAllText(Path.Combine(bottom, "etc/motd")));
        Assert.Equal("2\n", File.ReadAllText(Path.Combine(top, "etc/islander-layer")));
        var whiteout = FileInterop.Lstat(Path.Combine(top, "etc/motd"));
        Assert.Equal((FileKind.CharDevice, 0u, 0u), (whiteout.Kind, whiteout.RdevMajor, whiteout.RdevMinor));
        Assert.Equal(["/bin/sh", "-c", "cat /etc/os-release"], image.Defaults.Cmd);
        Assert.Contains("ISLANDER=1", image.Defaults.Env);
        Assert.Equal("/root", image.Defaults.WorkingDir);
        Assert.Contains(progress, p => p.Phase == ImageProgressPhase.Downloading);
        Assert.Equal(ImageProgressPhase.Done, progress[^1].Phase);

        // By digest, the same image; nothing downloaded again.
        progress.Clear();
        var byDigest = await store.PullAsync($"{registry.Host}/busybox@{info.ManifestDigest}", PullOptions.Default, new Collect(progress), Ct);
        Assert.Equal(info.Id, byDigest.Id);
        Assert.DoesNotContain(progress, p => p.Phase == ImageProgressPhase.Downloading);
    }

    [Fact]
    public async Task Pull_LayersStackedByOverlay_WhiteoutsHideLowerFiles()
    {
        Tools.RequireRootAndTools("docker-registry", "skopeo", "umoci");
        await using var registry = await LocalRegistry.StartAsync();
        registry.Push(ImageFixtures.Busybox, "1.0", "busybox");
        var store = ImageFixtures.Store(Path.Combine(state, "images"));
        await store.PullAsync($"{registry.Host}/busybox:1.0", PullOptions.Default, null, Ct);
        var overlay = new OverlayRootfs(Path.Combine(state, "isles"), Path.Combine(state, "run"));

        using var rootfs = overlay.Prepare("itest", store.Resolve($"{registry.Host}/busybox:1.0").LayerDirs);
        string merged = rootfs.RootPath;
        try
        {
            Assert.True(File.Exists(Path.Combine(merged, "bin/busybox")));
            Assert.False(File.Exists(Path.Combine(merged, "etc/motd")));
            Assert.Equal(["other"], Directory.GetFileSystemEntries(Path.Combine(merged, "var/lib/gone")).Select(Path.GetFileName));
        }
        finally
        {
            var trash = new Islander.Drivers.Storage.DirectoryTrash(Path.Combine(state, "isles", ".trash"));
            overlay.Remove("itest", trash);
            await trash.DeletedAsync();
        }
    }

    [Fact]
    public async Task Pull_Htpasswd_WorksWithCredentialsAndCarriesRefusalWithout()
    {
        Tools.RequireRootAndTools("docker-registry", "skopeo", "umoci", "htpasswd");
        var account = ("islander", "s3cret-pw");
        await using var registry = await LocalRegistry.StartAsync(account);
        registry.Push(ImageFixtures.Busybox, "1.0", "team/busybox", account);

        var anonymous = ImageFixtures.Store(Path.Combine(state, "anon"));
        var refused = await Assert.ThrowsAsync<RegistryException>(() =>
            anonymous.PullAsync($"{registry.Host}/team/busybox:1.0", PullOptions.Default, null, Ct));
        Assert.Equal("UNAUTHORIZED", refused.Code);
        Assert.Contains("authentication required", refused.Message);

        var wrong = ImageFixtures.Store(Path.Combine(state, "wrong"), ConfigJson(registry.Host, "islander", "nope"));
        await Assert.ThrowsAsync<RegistryException>(() => wrong.PullAsync($"{registry.Host}/team/busybox:1.0", PullOptions.Default, null, Ct));

        var store = ImageFixtures.Store(Path.Combine(state, "images"), ConfigJson(registry.Host, "islander", "s3cret-pw"));
        var info = await store.PullAsync($"{registry.Host}/team/busybox:1.0", PullOptions.Default, null, Ct);
        Assert.Equal([$"{registry.Host}/team/busybox:1.0"], info.Names);
        Assert.True(File.Exists(Path.Combine(store.Resolve(info.Id).LayerDirs[^1], "bin/busybox")));
    }

    [Fact]
    public async Task Pull_InterruptedDownloadInIngest_ResumedWithRange()
    {
        Tools.RequireRootAndTools("docker-registry", "skopeo", "umoci");
        await using var registry = await LocalRegistry.StartAsync();
        registry.Push(ImageFixtures.Busybox, "1.0", "busybox");
        string root = Path.Combine(state, "images");
        ImageFixtures.Store(root); // lays out the store
        var manifest = OciJson.ReadManifest(File.ReadAllBytes(Path.Combine(ImageFixtures.Busybox, "blobs/sha256",
            OciJson.ReadIndex(File.ReadAllBytes(Path.Combine(ImageFixtures.Busybox, "index.json")), "index").Manifests[0].Digest[7..])), "manifest");
        var big = manifest.Layers.MaxBy(l => l.Size)!;
        byte[] blob = File.ReadAllBytes(Path.Combine(ImageFixtures.Busybox, "blobs/sha256", big.Digest[7..]));
        File.WriteAllBytes(Path.Combine(root, "ingest", big.Digest[7..] + ".partial"), blob[..(blob.Length / 2)]);

        var info = await ImageFixtures.Store(root).PullAsync($"{registry.Host}/busybox:1.0", PullOptions.Default, null, Ct);

        Assert.Equal(2, info.DiffIds.Count);
        Assert.Contains(registry.Output, line => line.Contains($"/blobs/{big.Digest}") && line.Contains("\" 206 "));
        Assert.True(File.Exists(Path.Combine(root, "blobs/sha256", big.Digest[7..])));
    }

    [Fact]
    public async Task Pull_UnknownTag_NotFoundWithRegistryMessage()
    {
        Tools.RequireRootAndTools("docker-registry", "skopeo", "umoci");
        await using var registry = await LocalRegistry.StartAsync();
        registry.Push(ImageFixtures.Busybox, "1.0", "busybox");
        var store = ImageFixtures.Store(Path.Combine(state, "images"));

        var e = await Assert.ThrowsAsync<RegistryException>(() => store.PullAsync($"{registry.Host}/busybox:nope", PullOptions.Default, null, Ct));

        Assert.Equal(ErrorCategory.NotFound, e.Category);
        Assert.Equal("MANIFEST_UNKNOWN", e.Code);
    }

    [Theory]
    [InlineData("oci-archive")]
    [InlineData("docker-archive")]
    public async Task Import_SkopeoArchives_SameLayersAsPulled(string transport)
    {
        Tools.RequireRootAndTools("skopeo", "umoci");
        string archive = Path.Combine(state, transport + ".tar");
        Tools.Run("skopeo", "copy", "--quiet", $"oci:{ImageFixtures.Busybox}:1.0", $"{transport}:{archive}" + (transport == "docker-archive" ? ":local/busybox:1.0" : ""));
        var store = ImageFixtures.Store(Path.Combine(state, "images"));

        var info = await store.ImportAsync(archive, transport == "oci-archive" ? "local/busybox:1.0" : null, null, Ct);
        var image = store.Resolve("local/busybox:1.0");

        Assert.Equal(info.Id, image.Id);
        Assert.Equal(2, image.LayerDirs.Count);
        Assert.Equal(["/bin/sh", "-c", "cat /etc/os-release"], image.Defaults.Cmd);
        Assert.Equal(FileKind.CharDevice, FileInterop.Lstat(Path.Combine(image.LayerDirs[0], "etc/motd")).Kind);
    }

    sealed class Collect(List<ImageProgress> list) : IProgress<ImageProgress>
    {
        public void Report(ImageProgress value)
        {
            lock (list)
                list.Add(value);
        }
    }
}
