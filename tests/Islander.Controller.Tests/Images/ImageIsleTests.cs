using Islander.Controller.Lifecycle;
using Islander.Controller.State;
using Islander.Drivers.Images;
using Islander.Drivers.Runtime;
using Islander.Model;
using Islander.Testing.Fakes;

namespace Islander.Controller.Tests.Images;

public sealed class ImageIsleTests : IDisposable
{
    readonly ControllerHarness _h = new();

    public void Dispose() => _h.Dispose();

    static string Yaml(string name, string image, string restart = "Always") => $"""
        apiVersion: islander.io/v1
        kind: Isle
        metadata:
          name: {name}
        spec:
          image: {image}
          restartPolicy: {restart}
        """;

    [Fact]
    public async Task ImageIsle_NotInStore_PulledThenStartedWithItsLayersAndDefaults()
    {
        var config = new ImageDefaults(["/bin/app"], ["--serve"], ["MODE=prod"], "/srv", "1000");
        var image = _h.Images.Publish("localhost:5000/team/app:1.2", config, layers: 3);
        _h.Write("app.yaml", Yaml("app", "localhost:5000/team/app:1.2"));

        await _h.SyncAsync();

        Assert.Equal(IslePhase.Running, _h.StateOf("app"));
        var started = _h.Runtime.ImageOf("app")!;
        Assert.Equal(image.Id, started.Id);
        Assert.Equal(FakeImageStore.LayerDirsOf(image), started.LayerDirs);
        Assert.Equal(config, started.Defaults);
        Assert.Equal(image.Id, _h.Isle("app").ImageId);
        Assert.Equal(1, _h.Images.Pulls);
        Assert.Contains(_h.Events.Recent(), e => e.Name == "app" && e.Reason == "Pulled"
            && e.Message == $"image localhost:5000/team/app:1.2 ({image.Id}) pulled from http://localhost:5000");

        _h.Runtime.Exit("app", 1); // a restart finds the image here: no second pull
        await _h.AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(2, _h.Runtime.Incarnations("app"));
        Assert.Equal(1, _h.Images.Pulls);
    }

    [Fact]
    public async Task ImageIsle_AlreadyImported_StartsWithoutPull()
    {
        var image = _h.Images.Add("busybox:latest");
        _h.Write("bb.yaml", Yaml("bb", "busybox"));

        await _h.SyncAsync();

        Assert.Equal(IslePhase.Running, _h.StateOf("bb"));
        Assert.Equal(FakeImageStore.LayerDirsOf(image), _h.Runtime.ImageOf("bb")!.LayerDirs);
        Assert.Equal(0, _h.Images.Pulls);
    }

    [Fact]
    public async Task RootfsIsle_StartsWithoutImage()
    {
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web"));
        await _h.SyncAsync();
        Assert.Equal(IslePhase.Running, _h.StateOf("web"));
        Assert.Null(_h.Runtime.ImageOf("web"));
        Assert.Null(_h.Isle("web").ImageId);
    }

    [Fact]
    public async Task PullFails_RegistryNotFound_ErrorImagePullFailedWithRegistryMessage()
    {
        _h.Write("app.yaml", Yaml("app", "localhost:5000/team/missing:1"));

        await _h.SyncAsync();

        var record = _h.Isle("app");
        Assert.Equal(IslePhase.Error, record.State);
        Assert.Equal("ImagePullFailed", record.Reason);
        Assert.Contains("manifest unknown", record.Message);
        Assert.Contains("MANIFEST_UNKNOWN", record.Message);
        Assert.False(_h.Runtime.IsRunning("app"));
        Assert.Contains(_h.Events.Recent(), e => e.Name == "app" && e.Reason == "ImagePullFailed");
    }

    [Fact]
    public async Task PullFails_Transient_BackOffThenRunsWhenRegistryAnswers()
    {
        _h.Images.Publish("localhost:5000/app:1");
        _h.Images.PullFault = _ => new RegistryException("localhost:5000", "ping", null, null, "connection refused");
        _h.Write("app.yaml", Yaml("app", "localhost:5000/app:1"));

        await _h.SyncAsync();

        var record = _h.Isle("app");
        Assert.Equal(IslePhase.BackOff, record.State);
        Assert.Equal("ImagePullFailed", record.Reason);
        Assert.Contains("connection refused", record.Message);

        await _h.AdvanceAsync(TimeSpan.FromSeconds(35)); // retried at 10 s and 30 s, failing again
        _h.Images.PullFault = null; // the registry is back
        await _h.AdvanceAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(IslePhase.Running, _h.StateOf("app"));
        Assert.Null(_h.Isle("app").Reason);
        Assert.Equal(0, _h.Isle("app").RestartCount); // retried pulls are not restarts: nothing ran
    }

    [Fact]
    public async Task RemoveImage_UsedByIsle_RefusedUntilIsleDeleted()
    {
        var image = _h.Images.Add("busybox:latest");
        _h.Write("bb.yaml", Yaml("bb", "busybox"));
        await _h.SyncAsync();

        var e = Assert.Throws<IslanderException>(() => _h.IsleImages.Remove("busybox"));
        Assert.Equal(ErrorCategory.Conflict, e.Category);
        Assert.Single(_h.Images.List());

        _h.Remove("bb.yaml");
        await _h.SyncAsync();
        Assert.Null(_h.StateOf("bb"));
        Assert.Equal(image.Id, _h.IsleImages.Remove("busybox"));
        Assert.Empty(_h.Images.List());
    }

    [Fact]
    public void InUse_DesiredIsleNotStartedYet_Counts()
    {
        var image = _h.Images.Add("busybox:latest");
        _h.Write("bb.yaml", Yaml("bb", "docker.io/library/busybox:latest"));
        _h.Source.Scan(); // desired, no pass yet: no record

        Assert.Null(_h.StateOf("bb"));
        Assert.True(_h.IsleImages.InUse(image.Id));
    }

    string Tarball()
    {
        var path = Path.Combine(_h.Dir, "rootfs.tar");
        File.WriteAllText(path, "the fake store only checks that it exists");
        return path;
    }

    [Fact]
    public async Task Import_ImageOfIsleInImagePullBackOff_StartsAtOnceNotAfterTheBackOff()
    {
        _h.Images.PullFault = _ => new RegistryException("docker.io", "ping", null, null, "no route to host"); // no registry here at all
        _h.Write("app.yaml", Yaml("app", "team/app:1"));
        await _h.SyncAsync();
        await _h.AdvanceAsync(TimeSpan.FromSeconds(20)); // a few failed retries: the back-off has grown
        var waiting = _h.Isle("app");
        Assert.Equal((IslePhase.BackOff, "ImagePullFailed"), (waiting.State, waiting.Reason));
        Assert.True(waiting.NextStartAt > _h.Time.GetUtcNow());

        await _h.IsleImages.ImportAsync(Tarball(), "team/app:1", null, TestContext.Current.CancellationToken);
        await _h.SettleAsync(); // no time passes

        Assert.Equal(IslePhase.Running, _h.StateOf("app"));
        Assert.Equal(_h.Images.Inspect("team/app:1").Id, _h.Isle("app").ImageId);
    }

    [Fact]
    public async Task Pull_ImageOfIsleInImagePullBackOff_StartsAtOnce()
    {
        _h.Images.Publish("localhost:5000/app:1");
        _h.Images.PullFault = _ => new RegistryException("localhost:5000", "ping", null, null, "connection refused");
        _h.Write("app.yaml", Yaml("app", "localhost:5000/app:1"));
        await _h.SyncAsync();
        Assert.Equal(IslePhase.BackOff, _h.StateOf("app"));

        _h.Images.PullFault = null;
        await _h.IsleImages.PullAsync("localhost:5000/app:1", PullOptions.Default, null, TestContext.Current.CancellationToken); // islanderctl image pull
        await _h.SettleAsync();

        Assert.Equal(IslePhase.Running, _h.StateOf("app"));
    }

    [Fact]
    public async Task Import_WakesOnlyTheIslesNamingThatImage()
    {
        _h.Write("app.yaml", Yaml("app", "localhost:5000/team/missing:1"));
        _h.Write("other.yaml", Yaml("other", "localhost:5000/team/other:1"));
        await _h.SyncAsync();
        var woken = new List<string>();
        _h.IsleImages.IsleAffected += key => woken.Add(key.Name);

        await _h.IsleImages.ImportAsync(Tarball(), "localhost:5000/team/missing:1", null, TestContext.Current.CancellationToken);
        await _h.IsleImages.ImportAsync(Tarball(), "unrelated:1", null, TestContext.Current.CancellationToken);

        Assert.Equal(["app"], woken);
    }

    [Fact]
    public void BackOffWaitingForImage_ImageNotHereYet_StillWaits()
    {
        var record = new IsleRecord { Name = "app", State = IslePhase.BackOff, Reason = "ImagePullFailed", NextStartAt = _h.Time.GetUtcNow().AddMinutes(1) };
        var lifecycle = new IsleLifecycle(record, _h.Runtime, _h.Planner, _h.Time, new RestartBackoff(), images: _h.IsleImages);
        var request = new StartRequest(new IsleSpec { Image = "team/app:1" }, "hash", 1);

        Assert.False(lifecycle.CanStart(request));
        _h.Images.Add("team/app:1");
        Assert.True(lifecycle.CanStart(request));
    }

    [Fact]
    public async Task Import_ImageOfIsleInErrorImagePullFailed_Starts()
    {
        _h.Write("app.yaml", Yaml("app", "localhost:5000/team/missing:1"));
        await _h.SyncAsync();
        Assert.Equal((IslePhase.Error, "ImagePullFailed"), (_h.StateOf("app"), _h.Isle("app").Reason));

        await _h.IsleImages.ImportAsync(Tarball(), "localhost:5000/team/missing:1", null, TestContext.Current.CancellationToken);
        await _h.SettleAsync();

        Assert.Equal(IslePhase.Running, _h.StateOf("app"));
    }
}
