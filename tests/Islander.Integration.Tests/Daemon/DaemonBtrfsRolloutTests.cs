using System.Text.Json.Nodes;
using Islander.Integration.Tests.Volumes;
using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary>A rollback's volume restore on btrfs: a real islanderd whose <c>--volumes</c> directory is on a loop-mounted btrfs.</summary>
[Collection(DaemonCollection.Name)]
public sealed class DaemonBtrfsRolloutTests : IAsyncDisposable, IClassFixture<BtrfsLoopFilesystem>
{
    readonly DaemonHarness _h;
    readonly BtrfsLoopFilesystem _fs;

    public DaemonBtrfsRolloutTests(BtrfsLoopFilesystem fs)
    {
        HostCaps.RequireRoot();
        fs.Require();
        _fs = fs;
        _h = new DaemonHarness();
    }

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    [Fact]
    public async Task CrashingEdit_RolledBack_TheSubvolumeHasTheBytesOfBeforeTheEditAndNoSnapshotLeft()
    {
        var volumes = _fs.NewRoot();
        await _h.StartDaemonAsync("--volumes", volumes, "--restart-backoff", "0.2");
        _h.WriteManifest("data.yaml", "apiVersion: islander.io/v1\nkind: Volume\nmetadata: {name: data}\nspec: {driver: btrfs, size: 32Mi}\n");
        var name = _h.NewName("btrfs-rollout");
        string Isle(string script) => _h.IsleYaml(name, script,
            extraSpec: "  volumes: [{name: data, mountPath: /data}]\n  update: {healthTimeout: 3s, snapshotVolumes: true}\n");
        _h.WriteManifest("app.yaml", Isle("echo v1 >> /data/log && exec sleep 100000"));
        await _h.WaitRunningAsync(name, 15);
        var log = Path.Combine(volumes, "btrfs", "data", "log");
        await DaemonLifecycleTests.WaitForAsync(() => File.Exists(log) && File.ReadAllText(log) == "v1\n", "v1 wrote its line");

        _h.WriteManifest("app.yaml", Isle("echo bad >> /data/log && exit 1"));
        var back = await _h.WaitIsleAsync(name, i => DaemonHarness.Phase(i) == "Running" && (string?)i["status"]?["reason"] == "RolledBack",
            TimeSpan.FromSeconds(30), "rolled back");

        Assert.Equal(1L, (long?)back["status"]!["observedGeneration"]);
        await DaemonLifecycleTests.WaitForAsync(() => File.ReadAllText(log) == "v1\nv1\n", $"v1 ran again on the restored subvolume; log: {File.ReadAllText(log)}");
        using var r = await _h.Http.GetAsync($"{DaemonHarness.Api}/volumes/data", TestContext.Current.CancellationToken);
        var volume = JsonNode.Parse(await r.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        Assert.Empty(volume["status"]?["snapshots"]?.AsArray() ?? []); // the rollout's snapshot went with the rollback
        Assert.Contains(await _h.EventsAsync(), e => (string?)e["name"] == name && (string?)e["reason"] == "RolledBack"
            && ((string?)e["message"])!.Contains("volumes restored: data", StringComparison.Ordinal));
    }
}
