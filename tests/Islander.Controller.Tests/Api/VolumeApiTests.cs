using Islander.Drivers.Volumes;
using Islander.Model;
using Islander.Testing.Fakes;

namespace Islander.Controller.Tests.Api;

/// <summary>Volumes through the API and islanderctl, over fake volume drivers: get, describe, snapshot, restore, errors.</summary>
public sealed class VolumeApiTests : IAsyncDisposable
{
    readonly FakeVolumeDriver _dir = new(VolumeDriverKind.Dir);
    readonly FakeVolumeDriver _tmpfs = new(new VolumeDriverKind("tmpfs"));
    readonly DaemonFixture _d;

    public VolumeApiTests() => _d = new DaemonFixture(volumes: new VolumeDriverSet([_dir, _tmpfs],
        new Dictionary<VolumeDriverKind, string> { [new VolumeDriverKind("btrfs")] = "btrfs volumes need X on a btrfs filesystem; mkfs.btrfs DEVICE and mount it there, or use driver dir" }));

    static string VolumeYaml(string name, string spec) => $"apiVersion: islander.io/v1\nkind: Volume\nmetadata: {{name: {name}}}\nspec: {spec}\n";

    async Task<string> WaitAsync(string what, Func<string, bool> until, params string[] args)
    {
        string last = "";
        await _d.WaitAsync(() => until(last = _d.CtlAsync(args).GetAwaiter().GetResult().Out), TimeSpan.FromSeconds(10), $"{what}; last: {last}");
        return last;
    }

    [Fact]
    public async Task GetAndDescribe_ShowPhaseDriverPathUsageAndUsers()
    {
        _d.Write("v.yaml", VolumeYaml("data", "{driver: dir}"));
        _d.Write("web.yaml", Islander.Controller.Tests.ControllerHarness.IsleYaml("web", extra: "  volumes: [{name: data, mountPath: /data}]\n"));
        await _d.StartAsync();
        await WaitAsync("web running", o => o.Contains("Running"), "get", "isles", "web");
        _dir.Write("data", "f", new byte[2048]);

        var table = await WaitAsync("data ready", o => o.Contains("Ready"), "get", "volumes", "-o", "wide");
        var describe = await _d.CtlAsync("describe", "volume", "data");

        Assert.Matches(@"data\s+Ready\s+dir\s+<none>\s+2KiB\s+\S+\s+<none>\s+web\s+<none>\s+/fake/volumes/dir/data", table);
        Assert.Equal(0, describe.Exit);
        Assert.Contains("Path:         /fake/volumes/dir/data", describe.Out);
        Assert.Contains("Used by:      web", describe.Out);
    }

    [Fact]
    public async Task BtrfsUnavailable_StatusSaysWhatToDo()
    {
        _d.Write("v.yaml", VolumeYaml("fast", "{driver: btrfs, size: 1Gi}"));
        await _d.StartAsync();

        var describe = await WaitAsync("fast in error", o => o.Contains("Phase:        Error"), "describe", "volume", "fast");

        Assert.Contains("Reason:       DriverUnavailable", describe);
        Assert.Contains("mkfs.btrfs", describe);
    }

    [Fact]
    public async Task SnapshotThenRestore_SaysWhichIslesWereRestarted()
    {
        _d.Write("v.yaml", VolumeYaml("data", "{driver: dir}"));
        _d.Write("web.yaml", Islander.Controller.Tests.ControllerHarness.IsleYaml("web", extra: "  volumes: [{name: data, mountPath: /data}]\n"));
        await _d.StartAsync();
        await WaitAsync("web running", o => o.Contains("Running"), "get", "isles", "web");
        _dir.Write("data", "f", "old"u8.ToArray());

        var snapshot = await _d.CtlAsync("volume", "snapshot", "data", "s1");
        _dir.Write("data", "f", "new"u8.ToArray());
        var restore = await _d.CtlAsync("volume", "restore", "data", "s1");

        Assert.Equal((0, "volume data: snapshot s1 taken\n"), (snapshot.Exit, snapshot.Out));
        Assert.Equal(0, restore.Exit);
        Assert.Contains("restarted isles: web", restore.Out);
        Assert.Equal("old"u8.ToArray(), _dir.Read("data", "f"));
        await WaitAsync("web restarted", o => o.Contains("Running") && System.Text.RegularExpressions.Regex.IsMatch(o, @"Running\s+\d+\s+1\s"), "get", "isles", "web");
    }

    [Theory]
    [InlineData("volume", "snapshot", "scratch", "s1", "cannot snapshot")]
    [InlineData("volume", "restore", "scratch", "s1", "cannot snapshot")]
    [InlineData("volume", "snapshot", "nope", "s1", "does not exist")]
    [InlineData("volume", "restore", "data", "missing", "has no snapshot missing")]
    public async Task Errors_ExitNonZeroWithAMessage(string cmd, string sub, string volume, string snapshot, string message)
    {
        _d.Write("v.yaml", VolumeYaml("scratch", "{driver: tmpfs}") + "---\n" + VolumeYaml("data", "{driver: dir}"));
        await _d.StartAsync();
        await WaitAsync("volumes ready", o => o.Split("Ready").Length == 3, "get", "volumes");

        var r = await _d.CtlAsync(cmd, sub, volume, snapshot);

        Assert.NotEqual(0, r.Exit);
        Assert.Contains(message, r.Err);
    }

    public ValueTask DisposeAsync() => _d.DisposeAsync();
}
