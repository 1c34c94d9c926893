using System.Diagnostics;
using Islander.Integration.Tests.Images;
using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary>A real islanderd wakes the isles waiting for an image when the image is imported through the API.</summary>
[Collection(DaemonCollection.Name)]
public sealed class DaemonImageArrivalTests : IAsyncDisposable
{
    readonly DaemonHarness _h = new();

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    [Fact]
    public async Task Import_ImageOfIsleInImagePullBackOff_RunsAtOnceNotAfterItsBackOff()
    {
        // Nothing listens on localhost:1: each pull fails at once (connection refused, transient) -> ImagePullBackOff.
        const string image = "localhost:1/e2e/arrival:1";
        await _h.StartDaemonAsync();
        var name = _h.NewName("arrive");
        _h.WriteManifest($"{name}.yaml", $$"""
            apiVersion: islander.io/v1
            kind: Isle
            metadata: {name: {{name}}}
            spec:
              image: {{image}}
              command: ["sleep", "1000"]
              stopTimeout: 1s
            """);
        // Wait until the back-off has grown past a few seconds, so that a start within them can only be the wake.
        await _h.WaitIsleAsync(name, i => DaemonHarness.Phase(i) == "BackOff" && ((string?)i["status"]?["message"])?.Contains("restarting in 10s") == true,
            TimeSpan.FromSeconds(30), "in ImagePullBackOff with a 10 s back-off");

        var tarball = Path.Combine(_h.Dir, "rootfs.tar");
        Tools.Run("tar", "-C", TestRootfs.Busybox, "-cf", tarball, ".");
        var sw = Stopwatch.StartNew();
        var import = await _h.CtlAsync("image", "import", tarball, "--name", image);
        Assert.True(import.ExitCode == 0, import.ToString());

        var running = await _h.WaitRunningAsync(name, seconds: 8);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(8), $"started {sw.Elapsed} after the import");
        Assert.Null((string?)running["status"]?["reason"]);
    }
}
