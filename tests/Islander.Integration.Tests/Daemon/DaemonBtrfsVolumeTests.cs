using System.Text.Json.Nodes;
using Islander.Integration.Tests.Volumes;
using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary>A btrfs volume through a real islanderd whose <c>--volumes</c> directory is on a loop-mounted btrfs.</summary>
[Collection(DaemonCollection.Name)]
public sealed class DaemonBtrfsVolumeTests : IAsyncDisposable, IClassFixture<BtrfsLoopFilesystem>
{
    readonly DaemonHarness _h;
    readonly BtrfsLoopFilesystem _fs;

    public DaemonBtrfsVolumeTests(BtrfsLoopFilesystem fs)
    {
        HostCaps.RequireRoot();
        fs.Require();
        _fs = fs;
        _h = new DaemonHarness();
    }

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    async Task<JsonObject> WaitVolumeAsync(string name, Func<JsonObject, bool> until, string what)
    {
        JsonObject? last = null;
        await DaemonLifecycleTests.WaitForAsync(() =>
        {
            using var r = _h.Http.GetAsync($"{DaemonHarness.Api}/volumes/{name}", TestContext.Current.CancellationToken).GetAwaiter().GetResult();
            if (r.StatusCode == System.Net.HttpStatusCode.NotFound) return false;
            last = JsonNode.Parse(r.Content.ReadAsStringAsync(TestContext.Current.CancellationToken).GetAwaiter().GetResult())!.AsObject();
            return until(last);
        }, $"volume {name} {what}; last seen: {last?.ToJsonString()}", 10);
        return last!;
    }

    [Fact]
    public async Task BtrfsVolume_SizedResizedSnapshottedRestored()
    {
        var volumes = _fs.NewRoot();
        await _h.StartDaemonAsync("--volumes", volumes);
        _h.WriteManifest("data.yaml", "apiVersion: islander.io/v1\nkind: Volume\nmetadata: {name: data}\nspec: {driver: btrfs, size: 32Mi}\n");
        var isle = _h.NewName("btrfs");
        _h.WriteManifest("user.yaml", _h.IsleYaml(isle, "cat /data/f 2>/dev/null || echo first > /data/f; exec sleep 1000",
            extraSpec: "  volumes: [{name: data, mountPath: /data}]\n"));
        var first = await _h.WaitRunningAsync(isle, 10);
        var ready = await WaitVolumeAsync("data", v => (string?)v["status"]?["phase"] == "Ready", "ready");
        Assert.Equal(Path.Combine(volumes, "btrfs", "data"), (string?)ready["status"]!["path"]);
        Assert.Equal(32L << 20, (long?)ready["status"]!["sizeLimit"]);
        var file = Path.Combine(volumes, "btrfs", "data", "f");
        await DaemonLifecycleTests.WaitForAsync(() => File.Exists(file), "the isle wrote /data/f");

        _h.WriteManifest("data.yaml", "apiVersion: islander.io/v1\nkind: Volume\nmetadata: {name: data}\nspec: {driver: btrfs, size: 64Mi}\n");
        await WaitVolumeAsync("data", v => (long?)v["status"]?["sizeLimit"] == 64L << 20, "resized to 64Mi");

        var snapshot = await _h.CtlAsync("volume", "snapshot", "data", "s1");
        Assert.True(snapshot.ExitCode == 0, snapshot.ToString());
        File.WriteAllText(file, "second\n");
        var restore = await _h.CtlAsync("volume", "restore", "data", "s1");

        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Contains($"restarted isles: {isle}", restore.Stdout);
        Assert.Equal("first\n", File.ReadAllText(file));
        await _h.WaitIsleAsync(isle, i => DaemonHarness.Phase(i) == "Running" && DaemonHarness.Pid(i) != DaemonHarness.Pid(first),
            TimeSpan.FromSeconds(10), "running again after the restore");
        await DaemonLifecycleTests.WaitForAsync(() => _h.Log(isle).Contains("first", StringComparison.Ordinal), "the restarted isle read the snapshot's bytes");
        var restored = await WaitVolumeAsync("data", v => (string?)v["status"]?["phase"] == "Ready", "ready after the restore");
        Assert.Equal(64L << 20, (long?)restored["status"]!["sizeLimit"]);
    }
}
