using Islander.Integration.Tests.Images;

namespace Islander.Integration.Tests.Daemon;

/// <summary>
/// A real islanderd whose config file names Docker Hub mirrors: the first is down, the second a real docker-registry
/// holding the test image as library/busybox:latest. Docker Hub itself is out of reach (no internet), so an isle of
/// <c>busybox:latest</c> and <c>islanderctl image pull busybox</c> succeed only through the mirror.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class DaemonRegistryMirrorTests : IAsyncDisposable
{
    readonly DaemonHarness _h = new();

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    [Fact]
    public async Task ConfigMirrors_IsleOfDockerHubImageAndImagePull_ServedByTheMirrorThatIsUp()
    {
        Tools.RequireRootAndTools("docker-registry", "skopeo", "umoci");
        await using var mirror = await LocalRegistry.StartAsync();
        mirror.Push(ImageFixtures.Busybox, "1.0", "library/busybox", destinationTag: "latest");
        string config = Path.Combine(_h.Dir, "config.yaml");
        File.WriteAllText(config, $"""
            registries:
              mirrors: [http://127.0.0.1:1, http://{mirror.Host}]
            """);
        await _h.StartDaemonAsync("--config", config);

        var name = _h.NewName("mirror");
        _h.WriteManifest($"{name}.yaml", $$"""
            apiVersion: islander.io/v1
            kind: Isle
            metadata: {name: {{name}}}
            spec:
              image: busybox:latest
              command: ["sh", "-c", "cat /etc/islander-layer; exec sleep 1000"]
              stopTimeout: 1s
            """);
        await _h.WaitRunningAsync(name, seconds: 30);

        var pull = await _h.CtlAsync("image", "pull", "busybox");
        Assert.True(pull.ExitCode == 0, pull.ToString());
        Assert.Contains("docker.io/library/busybox:latest: sha256:", pull.Stdout, StringComparison.Ordinal);
        Assert.Contains($"pulled from http://{mirror.Host}", pull.Stdout, StringComparison.Ordinal);

        var inspect = await _h.CtlAsync("image", "inspect", "busybox");
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        Assert.Contains("\"docker.io/library/busybox:latest\"", inspect.Stdout, StringComparison.Ordinal);
        Assert.Contains($"\"pulledFrom\": \"http://{mirror.Host}\"", inspect.Stdout, StringComparison.Ordinal);
        Assert.Contains($"from http://{mirror.Host}", _h.DaemonOutput, StringComparison.Ordinal);
    }
}
