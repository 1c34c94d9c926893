using Islander.Drivers.Images;
using Islander.Integration.Tests.Images;
using Islander.Integration.Tests.Isles;
using Islander.Model;

namespace Islander.Integration.Tests.ImageIsles;

/// <summary>Isles started from images: another distribution's userland, and a registry image's own defaults.</summary>
[Collection(IsleCollection.Name)]
public sealed class ImageIsleTests : IAsyncDisposable
{
    readonly IsleHarness _h = new();

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    async Task<IsleRun> RunImageAsync(ResolvedImage image, IsleSpec spec)
    {
        var name = "img-" + Guid.NewGuid().ToString("N")[..8];
        _h.Track(name);
        var process = await _h.Runtime.StartAsync(name, spec, lowerDirs: image.LayerDirs, image: image.Defaults, ct: TestContext.Current.CancellationToken);
        var status = await _h.Runtime.WaitAsync(name, process, TestContext.Current.CancellationToken);
        return new IsleRun(name, status!, _h.Log(name));
    }

    [Fact]
    public async Task Run_DebianTrixieImage_OnThisHost_ReportsItsOwnOsRelease()
    {
        Tools.RequireRootAndTools("debootstrap");
        var store = ImageFixtures.Store(Path.Combine(_h.HostDir, "images"));
        await store.ImportAsync(ImageFixtures.TrixieTarball, "local/debian:trixie", null, TestContext.Current.CancellationToken);

        var run = await RunImageAsync(store.Resolve("local/debian:trixie"),
            new IsleSpec { Image = "local/debian:trixie", Command = ["sh", "-c", "cat /etc/os-release; ls --version | head -1"], RestartPolicy = RestartPolicy.Never });

        Assert.Equal(0, run.Status.Code);
        Assert.Contains("VERSION_CODENAME=trixie", run.Output);
        Assert.DoesNotContain("VERSION_CODENAME=trixie", File.ReadAllText("/etc/os-release")); // the host is another release
        Assert.Contains("GNU coreutils", run.Output); // trixie's own userland ran, not busybox
    }

    [Fact]
    public async Task Run_ImagePulledFromRegistry_UsesTheImagesCommandEnvAndWorkingDir()
    {
        Tools.RequireRootAndTools("docker-registry", "skopeo", "umoci");
        await using var registry = await LocalRegistry.StartAsync();
        registry.Push(ImageFixtures.Busybox, "1.0", "busybox");
        var store = ImageFixtures.Store(Path.Combine(_h.HostDir, "images"));
        string reference = $"{registry.Host}/busybox:1.0";
        await store.PullAsync(reference, PullOptions.Default, null, TestContext.Current.CancellationToken);
        var image = store.Resolve(reference);

        // No command in the spec: the image's cmd (cat /etc/os-release) runs, with its env and working dir.
        var byDefault = await RunImageAsync(image, new IsleSpec { Image = reference, RestartPolicy = RestartPolicy.Never });
        var withEnv = await RunImageAsync(image, new IsleSpec { Image = reference, Command = ["sh", "-c", "echo $ISLANDER; pwd; cat /etc/islander-layer; ls /etc/motd"], RestartPolicy = RestartPolicy.Never });

        Assert.Equal(0, byDefault.Status.Code);
        Assert.Contains("BusyBox", byDefault.Output);
        Assert.Equal(["1", "/root", "2"], withEnv.Output.Split('\n').Take(3));
        Assert.Contains("No such file", withEnv.Output); // the top layer's whiteout hides the lower /etc/motd
    }
}
