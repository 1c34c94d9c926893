using System.Text.Json.Nodes;
using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary>Named volumes through a real islanderd and islanderctl: data outlives isles and the daemon; snapshot and restore.</summary>
[Collection(DaemonCollection.Name)]
public sealed class DaemonVolumeTests : IAsyncDisposable
{
    readonly DaemonHarness _h;

    public DaemonVolumeTests()
    {
        HostCaps.RequireRoot();
        _h = new DaemonHarness();
    }

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    static string VolumeYaml(string name, string spec) => $"apiVersion: islander.io/v1\nkind: Volume\nmetadata: {{name: {name}}}\nspec: {spec}\n";

    string IsleOn(string name, string volume, string script) =>
        _h.IsleYaml(name, script, extraSpec: $"  volumes: [{{name: {volume}, mountPath: /data}}]\n");

    async Task<JsonObject> WaitVolumeAsync(string name, Func<JsonObject, bool> until, string what, double seconds = 10)
    {
        JsonObject? last = null;
        await DaemonLifecycleTests.WaitForAsync(() =>
        {
            using var r = _h.Http.GetAsync($"{DaemonHarness.Api}/volumes/{name}", TestContext.Current.CancellationToken).GetAwaiter().GetResult();
            if (r.StatusCode == System.Net.HttpStatusCode.NotFound) return false; // the manifest is not read yet
            last = JsonNode.Parse(r.Content.ReadAsStringAsync(TestContext.Current.CancellationToken).GetAwaiter().GetResult())!.AsObject();
            return until(last);
        }, $"volume {name} {what}; last seen: {last?.ToJsonString()}", seconds);
        return last!;
    }

    static string? Status(JsonObject o, string field) => (string?)o["status"]?[field];

    string Log(string isle) => _h.Log(isle);

    [Fact]
    public async Task DirVolume_WrittenByOneIsle_ReadByTheNextAfterTheIsleAndTheDaemonWent()
    {
        await _h.StartDaemonAsync();
        var token = Guid.NewGuid().ToString("N");
        _h.WriteManifest("data.yaml", VolumeYaml("data", "{driver: dir}"));
        var writer = _h.NewName("writer");
        _h.WriteManifest("writer.yaml", IsleOn(writer, "data", $"echo {token} > /data/greeting && head -c 100000 /dev/zero > /data/blob && echo written && exec sleep 1000"));
        await _h.WaitRunningAsync(writer, 10);
        await DaemonLifecycleTests.WaitForAsync(() => Log(writer).Contains("written"), "the writer wrote");

        var volume = await WaitVolumeAsync("data", v => Status(v, "phase") == "Ready", "ready");
        var path = Status(volume, "path")!;
        Assert.Equal(Path.Combine(_h.StateDir, "volumes", "dir", "data"), path);
        Assert.Equal(token + "\n", File.ReadAllText(Path.Combine(path, "greeting")));

        _h.RemoveManifest("writer.yaml");
        await DaemonLifecycleTests.WaitForAsync(() => _h.GetIsleAsync(writer).GetAwaiter().GetResult() is null, "the writer deleted", 10);
        await _h.StopDaemonAsync();
        await _h.StartDaemonAsync();

        var reader = _h.NewName("reader");
        _h.WriteManifest("reader.yaml", IsleOn(reader, "data", "cat /data/greeting && wc -c < /data/blob && exec sleep 1000"));
        await _h.WaitRunningAsync(reader, 10);
        await DaemonLifecycleTests.WaitForAsync(() => Log(reader).Contains("100000"), "the reader read");
        Assert.Equal($"{token}\n100000\n", Log(reader));

        var get = await _h.CtlAsync("get", "volumes");
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Matches(@"data\s+Ready\s+dir\s+<none>\s+9[78](\.\d{1,2})?KiB\s", get.Stdout); // 100000 bytes and the greeting
        var describe = await _h.CtlAsync("describe", "volume", "data");
        Assert.True(describe.ExitCode == 0, describe.ToString());
        Assert.Contains($"Path:         {path}", describe.Stdout);
        Assert.Contains($"Used by:      {reader}", describe.Stdout);
    }

    [Fact]
    public async Task Snapshot_Overwrite_Restore_BringsBackTheOldBytesAndRestartsTheIsle()
    {
        await _h.StartDaemonAsync();
        _h.WriteManifest("data.yaml", VolumeYaml("data", "{driver: dir}"));
        var path = Status(await WaitVolumeAsync("data", v => Status(v, "phase") == "Ready", "ready"), "path")!;
        File.WriteAllText(Path.Combine(path, "f"), "old\n");
        var isle = _h.NewName("user");
        _h.WriteManifest("user.yaml", IsleOn(isle, "data", "cat /data/f && exec sleep 1000"));
        var first = await _h.WaitRunningAsync(isle, 10);

        var snapshot = await _h.CtlAsync("volume", "snapshot", "data", "s1");
        Assert.True(snapshot.ExitCode == 0, snapshot.ToString());
        File.WriteAllText(Path.Combine(path, "f"), "new\n");

        var restore = await _h.CtlAsync("volume", "restore", "data", "s1");

        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Contains($"restarted isles: {isle}", restore.Stdout);
        Assert.Equal("old\n", File.ReadAllText(Path.Combine(path, "f")));
        await _h.WaitIsleAsync(isle, i => DaemonHarness.Phase(i) == "Running" && DaemonHarness.Pid(i) != DaemonHarness.Pid(first),
            TimeSpan.FromSeconds(10), "running again after the restore");
        await DaemonLifecycleTests.WaitForAsync(() => Log(isle) == "old\nold\n", $"the restarted isle read the old bytes; log: {Log(isle)}");
        var volume = await WaitVolumeAsync("data", v => Status(v, "phase") == "Ready", "ready after the restore");
        Assert.Equal("s1", (string?)volume["status"]!["snapshots"]![0]);
    }

    [Fact]
    public async Task TmpfsVolume_Snapshot_FailsWithAMessage()
    {
        await _h.StartDaemonAsync();
        _h.WriteManifest("scratch.yaml", VolumeYaml("scratch", "{driver: tmpfs, size: 8Mi}"));
        var volume = await WaitVolumeAsync("scratch", v => Status(v, "phase") == "Ready", "ready");
        Assert.Equal(8L << 20, (long?)volume["status"]!["sizeLimit"]);

        var r = await _h.CtlAsync("volume", "snapshot", "scratch", "s1");

        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("cannot snapshot", r.Stderr);
        Assert.Contains("use driver btrfs", r.Stderr);
    }
}
