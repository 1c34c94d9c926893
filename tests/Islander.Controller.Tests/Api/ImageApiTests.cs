namespace Islander.Controller.Tests.Api;

public sealed class ImageApiTests : IAsyncLifetime
{
    readonly DaemonFixture _d = new();

    public async ValueTask InitializeAsync() => await _d.StartAsync();

    public async ValueTask DisposeAsync() => await _d.DisposeAsync();

    [Fact]
    public async Task PullLsInspectRm_ThroughIslanderctl()
    {
        var image = _d.Images.Publish("localhost:5000/team/app:1.2");

        var (exit, output, error) = await _d.CtlAsync("image", "pull", "localhost:5000/team/app:1.2");
        Assert.True(exit == 0, error);
        Assert.Contains($"localhost:5000/team/app:1.2: {image.Id}", output);
        Assert.Contains("Complete", output);

        var ls = await _d.CtlAsync("image", "ls");
        Assert.Contains("localhost:5000/team/app:1.2", ls.Out);
        Assert.Contains(image.Id[7..19], ls.Out);

        var inspect = await _d.CtlAsync("image", "inspect", "localhost:5000/team/app:1.2");
        Assert.Equal(0, inspect.Exit);
        Assert.Contains($"\"id\": \"{image.Id}\"", inspect.Out);

        var rm = await _d.CtlAsync("image", "rm", "localhost:5000/team/app:1.2");
        Assert.True(rm.Exit == 0, rm.Err);
        Assert.Empty(_d.Images.List());
    }

    [Fact]
    public async Task Pull_RegistryRefuses_ErrorWithRegistryMessage()
    {
        var (exit, _, error) = await _d.CtlAsync("image", "pull", "localhost:5000/nope:1");
        Assert.NotEqual(0, exit);
        Assert.Contains("manifest unknown", error);
    }

    [Fact]
    public async Task Rm_ImageUsedByIsle_Refused()
    {
        _d.Images.Add("busybox:latest");
        var file = _d.WriteTemp("bb.yaml", """
            apiVersion: islander.io/v1
            kind: Isle
            metadata: {name: bb}
            spec: {image: busybox}
            """);
        Assert.Equal(0, (await _d.CtlAsync("apply", "-f", file)).Exit);
        await _d.WaitAsync(() => _d.Runtime.IsRunning("bb"), TimeSpan.FromSeconds(5), "isle bb to run");

        var (exit, _, error) = await _d.CtlAsync("image", "rm", "busybox");
        Assert.NotEqual(0, exit);
        Assert.Contains("used by an isle", error);
        Assert.Single(_d.Images.List());
    }

    [Fact]
    public async Task Import_UploadsTarball()
    {
        var tar = _d.WriteTemp("rootfs.tar", "not really a tar; the fake store does not read it");
        var (exit, output, error) = await _d.CtlAsync("image", "import", tar, "--name", "mybox:1");
        Assert.True(exit == 0, error);
        Assert.Contains("docker.io/library/mybox:1: sha256:", output);
        Assert.Single(_d.Images.List());
    }
}
