using System.Formats.Tar;
using System.Text.Json;
using Islander.Drivers.Images;
using Islander.Model;

namespace Islander.Drivers.Tests.Images;

public sealed class OciImageStoreTests : IDisposable
{
    readonly FakeRegistry fake = new();
    readonly TempDir temp = new();
    static readonly byte[] Base = new TestTar().Dir("bin").File("bin/sh", "shell", (UnixFileMode)0b111_101_101).File("etc/os-release", "ID=base").Bytes();
    static readonly byte[] App = new TestTar().File("etc/os-release", "ID=app").File("app/run", "go").Bytes();
    readonly TestImage image = TestImage.Build([Base, App], cmd: ["/app/run"], env: ["PATH=/bin", "MODE=prod"], workdir: "/app", user: "1000:1000");

    public OciImageStoreTests() => fake.Push("team/app", "1", image);

    public void Dispose() => temp.Dispose();

    OciImageStore Store() => new(temp["store"], new RegistryClient(RegistryClient.CreateHttpClient(fake), RegistryCredentials.None, new RegistryOptions()));

    static readonly CancellationToken Ct = CancellationToken.None;

    [Fact]
    public async Task Pull_ThenResolve_LayerDirsTopFirstAndDefaults()
    {
        var store = Store();

        var info = await store.PullAsync("registry.test/team/app:1", PullOptions.Default, null, Ct);
        var resolved = store.Resolve("registry.test/team/app:1");

        Assert.Equal(image.ConfigDigest.ToString(), info.Id);
        Assert.Equal(["registry.test/team/app:1"], info.Names);
        Assert.Equal([$"registry.test/team/app@{image.ManifestDigest}"], info.RepoDigests);
        Assert.Equal(2, resolved.LayerDirs.Count);
        Assert.Equal("ID=app", File.ReadAllText(Path.Combine(resolved.LayerDirs[0], "etc/os-release")));
        Assert.Equal("ID=base", File.ReadAllText(Path.Combine(resolved.LayerDirs[1], "etc/os-release")));
        var d = resolved.Defaults;
        Assert.Empty(d.Entrypoint);
        Assert.Equal(["/app/run"], d.Cmd);
        Assert.Equal(["PATH=/bin", "MODE=prod"], d.Env);
        Assert.Equal(("/app", "1000:1000"), (d.WorkingDir, d.User));
    }

    [Fact]
    public async Task Pull_Index_PicksThisPlatform()
    {
        var index = JsonSerializer.SerializeToUtf8Bytes(new
        {
            schemaVersion = 2,
            mediaType = MediaTypes.OciIndex,
            manifests = new object[]
            {
                new { mediaType = MediaTypes.OciManifest, digest = "sha256:" + new string('a', 64), size = 1, platform = new { os = "linux", architecture = "s390x" } },
                new { mediaType = MediaTypes.OciManifest, digest = image.ManifestDigest.ToString(), size = image.Manifest.Length, platform = new { os = "linux", architecture = PlatformSelector.Current.Architecture } },
            },
        });
        fake.AddManifest("team/app", "multi", index, MediaTypes.OciIndex);

        var info = await Store().PullAsync("registry.test/team/app:multi", PullOptions.Default, null, Ct);

        Assert.Equal(image.ManifestDigest.ToString(), info.ManifestDigest);
    }

    [Fact]
    public async Task Pull_Twice_SecondFindsLayersAndSharesThem()
    {
        var store = Store();
        await store.PullAsync("registry.test/team/app:1", PullOptions.Default, null, Ct);
        var other = TestImage.Build([Base], cmd: ["/bin/sh"]);
        fake.Push("team/base", "1", other);
        var phases = new List<ImageProgress>();

        await store.PullAsync("registry.test/team/base:1", PullOptions.Default, new Recorder(phases), Ct);

        Assert.Contains(phases, p => p.Phase == ImageProgressPhase.AlreadyExists);
        Assert.DoesNotContain(phases, p => p.Phase == ImageProgressPhase.Downloading);
        Assert.Equal(store.Resolve("registry.test/team/app:1").LayerDirs[1], store.Resolve("registry.test/team/base:1").LayerDirs[0]);
    }

    [Fact]
    public async Task Pull_ByDigestAlreadyHere_NoRegistryTraffic()
    {
        var store = Store();
        await store.PullAsync("registry.test/team/app:1", PullOptions.Default, null, Ct);
        fake.Log.Clear();

        var info = await store.PullAsync($"registry.test/team/app@{image.ManifestDigest}", PullOptions.Default, null, Ct);

        Assert.Equal(image.ConfigDigest.ToString(), info.Id);
        Assert.Empty(fake.Log);
    }

    [Fact]
    public async Task Pull_SameImageConcurrently_BothSucceedOneImage()
    {
        var store = Store();

        var infos = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => store.PullAsync("registry.test/team/app:1", PullOptions.Default, null, Ct)));

        Assert.All(infos, i => Assert.Equal(image.ConfigDigest.ToString(), i.Id));
        Assert.Single(store.List());
        Assert.Equal(2, fake.Log.Count(l => l.Contains("/blobs/sha256:") && !l.Contains(image.ConfigDigest.Hex)));
    }

    [Fact]
    public async Task Pull_ZstdAndPlainLayers_Unpacked()
    {
        var zstd = TestImage.Build([App], compress: TestTar.Zstd, layerMediaType: MediaTypes.OciLayerZstd);
        var plain = TestImage.Build([Base], compress: t => t, layerMediaType: MediaTypes.OciLayer);
        fake.Push("z", "1", zstd);
        fake.Push("p", "1", plain);
        var store = Store();

        await store.PullAsync("registry.test/z:1", PullOptions.Default, null, Ct);
        await store.PullAsync("registry.test/p:1", PullOptions.Default, null, Ct);

        Assert.True(File.Exists(Path.Combine(store.Resolve("registry.test/z:1").LayerDirs[0], "app/run")));
        Assert.True(File.Exists(Path.Combine(store.Resolve("registry.test/p:1").LayerDirs[0], "bin/sh")));
    }

    [Fact]
    public async Task Pull_LayerNotMatchingDiffId_Refused()
    {
        // The config names a diffID the layer does not have.
        var bad = TestImage.Build([Base]);
        var config = JsonSerializer.SerializeToUtf8Bytes(new { architecture = "amd64", os = "linux", rootfs = new { type = "layers", diff_ids = new[] { Digest.Of(App).ToString() } } });
        var manifest = JsonSerializer.SerializeToUtf8Bytes(new
        {
            schemaVersion = 2, mediaType = MediaTypes.OciManifest,
            config = new { mediaType = MediaTypes.OciConfig, digest = Digest.Of(config).ToString(), size = config.Length },
            layers = new[] { new { mediaType = MediaTypes.OciLayerGzip, digest = Digest.Of(bad.Layers[0]).ToString(), size = bad.Layers[0].Length } },
        });
        fake.AddBlob(config);
        fake.AddBlob(bad.Layers[0]);
        fake.AddManifest("bad", "1", manifest, MediaTypes.OciManifest);

        await Assert.ThrowsAsync<DigestMismatchException>(() => Store().PullAsync("registry.test/bad:1", PullOptions.Default, null, Ct));
    }

    [Fact]
    public async Task Pull_ConnectionDropsThenRangeIgnored_UnpackedWhileDownloadingStillWhole()
    {
        // The layer is unpacked from its ingest file as it grows; the download breaks, resumes, and the registry
        // ignores the Range, so the file is truncated and written again under the reader.
        fake.DropAfter[Digest.Of(image.Layers[0]).ToString()] = 700;
        fake.IgnoreRange = true;
        var store = Store();

        await store.PullAsync("registry.test/team/app:1", PullOptions.Default, null, Ct);

        var dirs = store.Resolve("registry.test/team/app:1").LayerDirs;
        Assert.Equal("ID=base", File.ReadAllText(Path.Combine(dirs[1], "etc/os-release")));
        Assert.Equal("shell", File.ReadAllText(Path.Combine(dirs[1], "bin/sh")));
    }

    [Fact]
    public async Task Pull_StaleGarbagePartialFile_UnpackedFromTheVerifiedBlobInstead()
    {
        // A partial download longer than the blob, full of garbage: the download starts over, the unpack that
        // read the garbage on the fly fails, and the verified blob is unpacked after all.
        var blob = Digest.Of(image.Layers[0]);
        var ingest = Path.Combine(temp["store"], "ingest");
        Directory.CreateDirectory(ingest);
        var garbage = new byte[image.Layers[0].Length + 4096];
        new Random(7).NextBytes(garbage);
        File.WriteAllBytes(Path.Combine(ingest, blob.Hex + ".partial"), garbage);
        var store = Store();

        await store.PullAsync("registry.test/team/app:1", PullOptions.Default, null, Ct);

        Assert.Equal("ID=base", File.ReadAllText(Path.Combine(store.Resolve("registry.test/team/app:1").LayerDirs[1], "etc/os-release")));
    }

    [Fact]
    public async Task Pull_CorruptBlob_FailsAndStoresNothing()
    {
        fake.Corrupt.Add(Digest.Of(image.Layers[1]).ToString());
        var store = Store();

        await Assert.ThrowsAsync<DigestMismatchException>(() => store.PullAsync("registry.test/team/app:1", PullOptions.Default, null, Ct));

        Assert.Empty(store.List());
        Assert.False(File.Exists(Path.Combine(temp["store"], "blobs/sha256", Digest.Of(image.Layers[1]).Hex)));
    }

    [Fact]
    public async Task Remove_InUse_ConflictAndKept()
    {
        var store = Store();
        var info = await store.PullAsync("registry.test/team/app:1", PullOptions.Default, null, Ct);

        var e = Assert.Throws<IslanderException>(() => store.Remove("registry.test/team/app:1", id => id == info.Id));

        Assert.Equal(ErrorCategory.Conflict, e.Category);
        Assert.Single(store.List());
    }

    [Fact]
    public async Task Remove_LastName_DeletesImageAndUnsharedLayers()
    {
        var store = Store();
        await store.PullAsync("registry.test/team/app:1", PullOptions.Default, null, Ct);
        fake.Push("team/base", "1", TestImage.Build([Base]));
        await store.PullAsync("registry.test/team/base:1", PullOptions.Default, null, Ct);
        var appDirs = store.Resolve("registry.test/team/app:1").LayerDirs;

        string removed = store.Remove("registry.test/team/app:1", _ => false);

        Assert.Equal(image.ConfigDigest.ToString(), removed);
        Assert.False(Directory.Exists(appDirs[0]));
        Assert.True(Directory.Exists(appDirs[1])); // still used by team/base
        Assert.Equal(ErrorCategory.NotFound, NotFound(() => store.Resolve("registry.test/team/app:1")));
    }

    [Fact]
    public async Task Remove_OneOfTwoTags_OnlyUntags()
    {
        var store = Store();
        fake.Push("team/app", "2", image);
        await store.PullAsync("registry.test/team/app:1", PullOptions.Default, null, Ct);
        await store.PullAsync("registry.test/team/app:2", PullOptions.Default, null, Ct);

        string removed = store.Remove("registry.test/team/app:1", _ => true);

        Assert.Equal("registry.test/team/app:1", removed);
        Assert.Equal(["registry.test/team/app:2"], store.Inspect(image.ConfigDigest.Short).Names);
    }

    [Fact]
    public async Task Index_Persisted_NewStoreSeesImages()
    {
        await Store().PullAsync("registry.test/team/app:1", PullOptions.Default, null, Ct);

        var again = Store();

        Assert.Equal(image.ConfigDigest.ToString(), again.Inspect("registry.test/team/app:1").Id);
        Assert.Equal(image.ConfigDigest.ToString(), again.Inspect($"registry.test/team/app@{image.ManifestDigest}").Id);
        Assert.Equal(2, again.Resolve(image.ConfigDigest.ToString()).LayerDirs.Count);
    }

    [Fact]
    public void Inspect_Unknown_NotFound() =>
        Assert.Equal(ErrorCategory.NotFound, NotFound(() => Store().Inspect("nothing:here")));

    [Fact]
    public async Task Import_RootfsTarball_OneLayerNoDefaults()
    {
        File.WriteAllBytes(temp["rootfs.tar.gz"], TestTar.Gzip(Base));
        var store = Store();

        var info = await store.ImportAsync(temp["rootfs.tar.gz"], "local/base:1", null, Ct);
        var resolved = store.Resolve("local/base:1");

        Assert.Equal(["docker.io/local/base:1"], info.Names);
        Assert.Equal([Digest.Of(Base).ToString()], info.DiffIds);
        Assert.Equal("ID=base", File.ReadAllText(Path.Combine(Assert.Single(resolved.LayerDirs), "etc/os-release")));
        Assert.Empty(resolved.Defaults.Cmd);
    }

    [Fact]
    public async Task Import_RootfsWithACharDevice_ReportsItSkipped()
    {
        var rootfs = new TestTar().Dir("dev").CharDevice("dev/fuse", 10, 229).Dir("lib").CharDevice("lib/null", 1, 3).File("etc/os-release", "ID=dev").Bytes();
        File.WriteAllBytes(temp["dev.tar"], rootfs);
        var store = Store();

        var info = await store.ImportAsync(temp["dev.tar"], "local/dev:1", null, Ct);

        Assert.Equal(["/dev/fuse (character device 10:229)", "/lib/null (character device 1:3)"], info.SkippedDevices);
        Assert.Equal(info.SkippedDevices, store.Inspect("local/dev:1").SkippedDevices); // kept with the image
        var layer = Assert.Single(store.Resolve("local/dev:1").LayerDirs);
        Assert.False(File.Exists(Path.Combine(layer, "lib/null")));
    }

    [Fact]
    public async Task Pull_LayerWithABlockDevice_ReportsItSkippedAndAgainForALaterImageOfTheLayer()
    {
        var devices = new TestTar().Dir("dev").BlockDevice("dev/sda", 8, 0).Bytes();
        fake.Push("team/dev", "1", TestImage.Build([Base, devices]));
        fake.Push("team/dev", "2", TestImage.Build([devices], cmd: ["sh"]));
        var store = Store();

        var first = await store.PullAsync("registry.test/team/dev:1", PullOptions.Default, null, Ct);
        var second = await store.PullAsync("registry.test/team/dev:2", PullOptions.Default, null, Ct);

        Assert.Equal(["/dev/sda (block device 8:0)"], first.SkippedDevices);
        Assert.Equal(["/dev/sda (block device 8:0)"], second.SkippedDevices);
    }

    [Fact]
    public async Task Import_DockerSave_NamesFromRepoTags()
    {
        string cfg = image.ConfigDigest.Hex + ".json";
        string[] tags = ["team/app:7"], layers = ["l1/layer.tar", "l2/layer.tar"];
        var archive = ArchiveWith(w =>
        {
            Add(w, cfg, image.Config);
            Add(w, "l1/layer.tar", Base);
            Add(w, "l2/layer.tar", App);
            Add(w, "manifest.json", JsonSerializer.SerializeToUtf8Bytes(new[] { new { Config = cfg, RepoTags = tags, Layers = layers } }));
        });
        File.WriteAllBytes(temp["save.tar"], archive);
        var store = Store();

        var info = await store.ImportAsync(temp["save.tar"], null, null, Ct);

        Assert.Equal(image.ConfigDigest.ToString(), info.Id);
        Assert.Equal(["docker.io/team/app:7"], info.Names);
        Assert.Equal(["/app/run"], store.Resolve("team/app:7").Defaults.Cmd);
    }

    [Fact]
    public async Task Import_OciLayout_VerifiesAndNames()
    {
        var index = JsonSerializer.SerializeToUtf8Bytes(new
        {
            schemaVersion = 2,
            manifests = new[] { new { mediaType = MediaTypes.OciManifest, digest = image.ManifestDigest.ToString(), size = image.Manifest.Length,
                annotations = new Dictionary<string, string> { ["org.opencontainers.image.ref.name"] = "1" } } },
        });
        var archive = ArchiveWith(w =>
        {
            Add(w, "oci-layout", """{"imageLayoutVersion":"1.0.0"}"""u8.ToArray());
            Add(w, "index.json", index);
            foreach (var blob in image.Layers.Append(image.Config).Append(image.Manifest))
                Add(w, "blobs/sha256/" + Digest.Of(blob).Hex, blob);
        });
        File.WriteAllBytes(temp["oci.tar"], archive);
        var store = Store();

        var info = await store.ImportAsync(temp["oci.tar"], "localhost:5000/app:oci", null, Ct);

        Assert.Equal(["localhost:5000/app:oci"], info.Names);
        Assert.Equal(image.ManifestDigest.ToString(), info.ManifestDigest);
        Assert.Equal(2, store.Resolve("localhost:5000/app:oci").LayerDirs.Count);
    }

    [Fact]
    public async Task Import_OciLayoutWithTamperedBlob_Refused()
    {
        var index = JsonSerializer.SerializeToUtf8Bytes(new { schemaVersion = 2, manifests = new[] { new { mediaType = MediaTypes.OciManifest, digest = image.ManifestDigest.ToString(), size = image.Manifest.Length } } });
        var archive = ArchiveWith(w =>
        {
            Add(w, "oci-layout", """{"imageLayoutVersion":"1.0.0"}"""u8.ToArray());
            Add(w, "index.json", index);
            Add(w, "blobs/sha256/" + image.ManifestDigest.Hex, image.Manifest);
            Add(w, "blobs/sha256/" + image.ConfigDigest.Hex, image.Config);
            Add(w, "blobs/sha256/" + Digest.Of(image.Layers[0]).Hex, image.Layers[0]);
            Add(w, "blobs/sha256/" + Digest.Of(image.Layers[1]).Hex, image.Layers[0]); // wrong content
        });
        File.WriteAllBytes(temp["oci.tar"], archive);

        await Assert.ThrowsAsync<DigestMismatchException>(() => Store().ImportAsync(temp["oci.tar"], "x", null, Ct));
    }

    static byte[] ArchiveWith(Action<TarWriter> fill)
    {
        var buffer = new MemoryStream();
        using (var w = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
            fill(w);
        return buffer.ToArray();
    }

    static void Add(TarWriter w, string name, byte[] data) =>
        w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data), Mode = (UnixFileMode)0b110_100_100 });

    static ErrorCategory NotFound(Action action) => Assert.Throws<IslanderException>(action).Category;

    sealed class Recorder(List<ImageProgress> list) : IProgress<ImageProgress>
    {
        public void Report(ImageProgress value)
        {
            lock (list)
                list.Add(value);
        }
    }
}
