using Islander.Drivers.Images;
using Islander.Model;

namespace Islander.Integration.Tests.Images;

/// <summary>
/// Docker Hub images pulled through mirrors (real docker-registry processes on 127.0.0.1 holding the test image as
/// library/busybox:latest), with no way to Docker Hub itself: every test passes only if the mirrors served the image.
/// </summary>
[Collection(ImagesCollection.Name)]
public sealed class RegistryMirrorTests : IDisposable
{
    /// <summary>Nothing listens on port 1: a mirror there is down (connection refused).</summary>
    const string DownMirror = "http://127.0.0.1:1";

    readonly string state = Directory.CreateTempSubdirectory("islander-mirrors-").FullName;
    static readonly CancellationToken Ct = CancellationToken.None;

    public void Dispose() => Directory.Delete(state, recursive: true);

    static async Task<LocalRegistry> MirrorWithBusyboxAsync()
    {
        var mirror = await LocalRegistry.StartAsync();
        mirror.Push(ImageFixtures.Busybox, "1.0", "library/busybox", destinationTag: "latest");
        return mirror;
    }

    static bool Asked(LocalRegistry registry, string path) => registry.Output.Any(line => line.Contains($"GET /v2/{path}", StringComparison.Ordinal));

    [Fact]
    public async Task Pull_DockerHubName_ServedByMirrorRecordedUnderItsOwnName()
    {
        Tools.RequireRootAndTools("docker-registry", "skopeo", "umoci");
        await using var mirror = await MirrorWithBusyboxAsync();
        var store = ImageFixtures.Store(Path.Combine(state, "images"), options: new RegistryOptions { Mirrors = [$"http://{mirror.Host}"] });

        var info = await store.PullAsync("busybox", PullOptions.Default, null, Ct);

        Assert.Equal(["docker.io/library/busybox:latest"], info.Names);
        Assert.All(info.RepoDigests, d => Assert.StartsWith("docker.io/library/busybox@sha256:", d, StringComparison.Ordinal));
        Assert.Equal($"http://{mirror.Host}", info.PulledFrom);
        Assert.Equal(info.Id, store.Inspect("docker.io/library/busybox:latest").Id);
        Assert.Equal($"http://{mirror.Host}", store.Inspect("busybox").PulledFrom);
        Assert.Throws<IslanderException>(() => store.Inspect($"{mirror.Host}/library/busybox:latest"));
        Assert.True(File.Exists(Path.Combine(store.Resolve("busybox:latest").LayerDirs[^1], "bin/busybox")));
    }

    [Fact]
    public async Task Pull_FirstMirrorDownSecondWithoutImage_ThirdServes()
    {
        Tools.RequireRootAndTools("docker-registry", "skopeo", "umoci");
        await using var empty = await LocalRegistry.StartAsync();
        await using var mirror = await MirrorWithBusyboxAsync();
        var store = ImageFixtures.Store(Path.Combine(state, "images"),
            options: new RegistryOptions { Mirrors = [DownMirror, $"http://{empty.Host}", $"http://{mirror.Host}"] });

        var info = await store.PullAsync("library/busybox:latest", PullOptions.Default, null, Ct);

        Assert.Equal($"http://{mirror.Host}", info.PulledFrom);
        Assert.Equal(["docker.io/library/busybox:latest"], info.Names);
        Assert.True(Asked(empty, "library/busybox/manifests/latest"), "the mirror without the image was asked (and said 404) before the next");
    }

    [Fact]
    public async Task Pull_ByDigest_GoesToTheMirrorAndIsVerified()
    {
        Tools.RequireRootAndTools("docker-registry", "skopeo", "umoci");
        await using var mirror = await MirrorWithBusyboxAsync();
        var first = await ImageFixtures.Store(Path.Combine(state, "a"), options: new RegistryOptions { Mirrors = [$"http://{mirror.Host}"] })
            .PullAsync("busybox", PullOptions.Default, null, Ct);
        var store = ImageFixtures.Store(Path.Combine(state, "b"), options: new RegistryOptions { Mirrors = [DownMirror, $"http://{mirror.Host}"] });

        var info = await store.PullAsync($"busybox@{first.ManifestDigest}", PullOptions.Default, null, Ct);

        Assert.Equal(first.Id, info.Id);
        Assert.Empty(info.Names); // a digest names content, not a tag
        Assert.Contains($"docker.io/library/busybox@{first.ManifestDigest}", info.RepoDigests);
        Assert.Equal($"http://{mirror.Host}", info.PulledFrom);
    }

    [Fact]
    public async Task Pull_OtherRegistry_NeverAsksTheMirrors()
    {
        Tools.RequireRootAndTools("docker-registry", "skopeo", "umoci");
        await using var mirror = await MirrorWithBusyboxAsync();
        await using var registry = await LocalRegistry.StartAsync();
        registry.Push(ImageFixtures.Busybox, "1.0", "library/busybox", destinationTag: "latest");
        var store = ImageFixtures.Store(Path.Combine(state, "images"), options: new RegistryOptions { Mirrors = [$"http://{mirror.Host}"] });

        var info = await store.PullAsync($"{registry.Host}/library/busybox:latest", PullOptions.Default, null, Ct);

        Assert.Equal($"http://{registry.Host}", info.PulledFrom);
        Assert.Equal([$"{registry.Host}/library/busybox:latest"], info.Names);
        Assert.False(Asked(mirror, "library/busybox"), string.Join('\n', mirror.Output));
    }

    [Fact]
    public async Task Pull_EveryMirrorFails_DockerHubAskedLastAndTheErrorNamesEach()
    {
        Tools.RequireRootAndTools("docker-registry");
        await using var empty = await LocalRegistry.StartAsync();
        var store = ImageFixtures.Store(Path.Combine(state, "images"), options: new RegistryOptions { Mirrors = [DownMirror, $"http://{empty.Host}"] });

        // A repository no mirror has: Docker Hub answers it with an error, or cannot be reached (no internet here).
        var e = await Assert.ThrowsAnyAsync<IslanderException>(() => store.PullAsync("islander-test-absent/nothing:1", PullOptions.Default, null, Ct));

        Assert.Contains("from docker.io", e.Message, StringComparison.Ordinal);
        Assert.Contains($"mirror {DownMirror}:", e.Message, StringComparison.Ordinal);
        Assert.Contains($"mirror http://{empty.Host}: manifest islander-test-absent/nothing:1 from {empty.Host}", e.Message, StringComparison.Ordinal);
        Assert.Empty(store.List());
    }
}
