using System.Diagnostics;
using System.Text.Json.Nodes;
using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary>
/// Health-gated rollouts (<c>spec.update</c>) through a real islanderd and real isles: an edit whose new generation
/// crash-loops, or never passes its healthcheck, is stopped within healthTimeout, the volume's bytes it wrote are put
/// back from the snapshot taken just before it, the last good generation runs again (RolledBack in status and events),
/// and the failed generation is not tried again until the manifest changes; <c>islanderctl rollout history|undo</c>.
/// </summary>
[Collection(IslanderctlCollection.Name)]
public sealed class DaemonRolloutTests : IAsyncDisposable
{
    static readonly TimeSpan Long = TimeSpan.FromSeconds(30);
    readonly DaemonHarness _h;

    public DaemonRolloutTests()
    {
        HostCaps.RequireRoot();
        _h = new DaemonHarness();
    }

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    static string? Status(JsonObject o, string field) => (string?)o["status"]?[field];

    static long ObservedGeneration(JsonObject isle) => (long?)isle["status"]?["observedGeneration"] ?? 0;

    string Isle(string name, string script, string update, string extra = "") =>
        _h.IsleYaml(name, script, extraSpec: $"  volumes: [{{name: data, mountPath: /data}}]\n  update: {update}\n{extra}");

    async Task<List<JsonObject>> EventsOfAsync(string name, string reason) =>
        (await _h.EventsAsync()).Where(e => (string?)e["name"] == name && (string?)e["reason"] == reason).ToList();

    async Task<string> VolumePathAsync()
    {
        string? path = null;
        await DaemonLifecycleTests.WaitForAsync(() =>
        {
            using var r = _h.Http.GetAsync($"{DaemonHarness.Api}/volumes/data", TestContext.Current.CancellationToken).GetAwaiter().GetResult();
            if (!r.IsSuccessStatusCode) return false;
            var v = JsonNode.Parse(r.Content.ReadAsStringAsync(TestContext.Current.CancellationToken).GetAwaiter().GetResult())!.AsObject();
            path = Status(v, "path");
            return Status(v, "phase") == "Ready" && path is not null;
        }, "volume data ready", 15);
        return path!;
    }

    [Fact]
    public async Task CrashLoopingEdit_RolledBackWithItsVolumeBytes_NotRetriedUntilTheManifestChanges()
    {
        await _h.StartDaemonAsync("--restart-backoff", "0.2");
        _h.WriteManifest("data.yaml", "apiVersion: islander.io/v1\nkind: Volume\nmetadata: {name: data}\nspec: {driver: dir}\n");
        var name = _h.NewName("rollout");
        const string update = "{healthTimeout: 4s, minHealthyTime: 1s, snapshotVolumes: true}";
        _h.WriteManifest("app.yaml", Isle(name, "echo v1 >> /data/log && exec sleep 100000", update));
        var first = await _h.WaitRunningAsync(name, 15);
        var path = await VolumePathAsync();
        await DaemonLifecycleTests.WaitForAsync(() => File.Exists(Path.Combine(path, "log")) && File.ReadAllText(Path.Combine(path, "log")) == "v1\n", "v1 wrote its line");

        // Generation 2 writes to the volume, then crashes, again and again.
        var edited = Stopwatch.StartNew();
        _h.WriteManifest("app.yaml", Isle(name, "echo bad >> /data/log && head -c 50000 /dev/zero > /data/junk && exit 3", update));
        var back = await _h.WaitIsleAsync(name, i => DaemonHarness.Phase(i) == "Running" && Status(i, "reason") == "RolledBack",
            Long, "rolled back to generation 1 and running");
        edited.Stop();

        // Within healthTimeout (plus a stop, a restore and a start on a loaded machine), not before it: a crash loop has its time.
        Assert.True(edited.Elapsed >= TimeSpan.FromSeconds(3.5), $"rolled back after {edited.Elapsed}, before the 4s healthTimeout");
        Assert.Equal(2, DaemonHarness.Generation(back));
        Assert.Equal(1, ObservedGeneration(back));
        Assert.NotEqual(DaemonHarness.Pid(first), DaemonHarness.Pid(back));
        Assert.Contains("revision 2 (generation 2) rolled back to generation 1 (revision 1): CrashLoopBackOff", Status(back, "message"));
        Assert.Contains("not tried again until the manifest changes", Status(back, "message"));
        var rolledBack = Assert.Single(await EventsOfAsync(name, "RolledBack"));
        Assert.Contains("volumes restored: data", (string?)rolledBack["message"]);
        Assert.Equal("Warning", (string?)rolledBack["type"]);

        // The bytes generation 2 wrote are gone; generation 1 ran again on the data as it was before the edit.
        await DaemonLifecycleTests.WaitForAsync(() => File.ReadAllText(Path.Combine(path, "log")) == "v1\nv1\n",
            $"v1 ran again on the restored data; log: {File.ReadAllText(Path.Combine(path, "log"))}");
        Assert.False(File.Exists(Path.Combine(path, "junk")), "generation 2's file survived the rollback");

        // Not retried: nor by this daemon, nor by the next one (the rollback is persisted).
        var pid = DaemonHarness.Pid(back);
        var starts = (await EventsOfAsync(name, "Starting")).Count;
        await _h.StopDaemonAsync();
        await _h.StartDaemonAsync("--restart-backoff", "0.2");
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken); // several passes and resyncs of a 4s-timeout rollout
        var still = (await _h.GetIsleAsync(name))!;
        Assert.Equal(pid, DaemonHarness.Pid(still));
        Assert.Equal("RolledBack", Status(still, "reason"));
        Assert.Equal(starts, (await EventsOfAsync(name, "Starting")).Count);

        var history = await _h.CtlAsync("rollout", "history", name);
        Assert.True(history.ExitCode == 0, history.ToString());
        Assert.Matches(@"REVISION\s+GENERATION\s+STARTED\s+RESULT\s+CHANGE-CAUSE", history.Stdout);
        Assert.Matches(@"\n1\s+1\s+\S+Z\s+Complete \*\s+created\n", history.Stdout);
        Assert.Matches(@"\n2\s+2\s+\S+Z\s+RolledBack \(CrashLoopBackOff\)\s+command\n", history.Stdout);
        var spec = await _h.CtlAsync("rollout", "history", name, "--revision", "2");
        Assert.True(spec.ExitCode == 0, spec.ToString());
        Assert.Contains("exit 3", spec.Stdout);

        // A file's isle: undo cannot edit the file, and says what to do.
        var undo = await _h.CtlAsync("rollout", "undo", name);
        Assert.NotEqual(0, undo.ExitCode);
        Assert.Contains("islanderd does not edit the manifests it reads", undo.Stderr);

        // The manifest changes: generation 3 is rolled out, becomes good, and its history says so.
        _h.WriteManifest("app.yaml", Isle(name, "echo v3 >> /data/log && exec sleep 100000", update));
        await _h.WaitIsleAsync(name, i => DaemonHarness.Phase(i) == "Running" && ObservedGeneration(i) == 3 && Status(i, "reason") is null, Long, "generation 3 running");
        await DaemonLifecycleTests.WaitForAsync(() => _h.CtlAsync("rollout", "history", name).GetAwaiter().GetResult().Stdout.Contains("Complete *"),
            "revision 3 complete");
        var after = await _h.CtlAsync("rollout", "history", name);
        Assert.Matches(@"\n3\s+3\s+\S+Z\s+Complete \*\s+command\n", after.Stdout);
        Assert.Single(await EventsOfAsync(name, "RolloutComplete"));
        Assert.Equal("v1\nv1\nv3\n", File.ReadAllText(Path.Combine(path, "log")));
    }

    /// <summary>
    /// An edit to an image its registry does not have (a real registry, empty: the manifest is a 404) can never pass: it
    /// is rolled back at once, not at the end of its 60 s healthTimeout, and the old generation runs again. (A registry
    /// that cannot be reached is a transient failure, retried with back-off like a crash loop until the deadline.)
    /// </summary>
    [Fact]
    public async Task EditToAnImageThatCannotBePulled_RolledBackAtOnce_TheOldGenerationRuns()
    {
        await using var registry = await Images.LocalRegistry.StartAsync();
        await _h.StartDaemonAsync();
        var name = _h.NewName("rollout");
        const string update = "  update: {healthTimeout: 60s, minHealthyTime: 1s}\n";
        var good = _h.IsleYaml(name, "echo $$ > /tmp/pid && exec sleep 100003", extraSpec: update);
        _h.WriteManifest("app.yaml", good);
        await _h.WaitRunningAsync(name, 15);
        await DaemonLifecycleTests.WaitForAsync(() => _h.CtlAsync("rollout", "history", name).GetAwaiter().GetResult().Stdout.Contains("Complete *"),
            "revision 1 complete");

        var edited = Stopwatch.StartNew();
        _h.WriteManifest("app.yaml", good.Replace($"rootfs: {_h.Rootfs}", $"image: {registry.Host}/islander-test/none:1", StringComparison.Ordinal));
        var back = await _h.WaitIsleAsync(name, i => DaemonHarness.Phase(i) == "Running" && Status(i, "reason") == "RolledBack", Long, "rolled back");
        edited.Stop();

        Assert.True(edited.Elapsed < TimeSpan.FromSeconds(30), $"rolled back after {edited.Elapsed}, as if it waited for the 60s healthTimeout");
        Assert.Contains("ImagePullFailed", Status(back, "message"));
        Assert.Contains("rolled back to generation 1", Status(back, "message"));
        Assert.Equal(1, ObservedGeneration(back));
        var history = await _h.CtlAsync("rollout", "history", name);
        Assert.Matches(@"\n2\s+2\s+\S+\s+RolledBack \(ImagePullFailed\)", history.Stdout);
        var exec = await _h.CtlAsync("exec", name, "--", "cat", "/proc/1/cmdline");
        Assert.True(exec.ExitCode == 0, exec.ToString());
        Assert.Contains("100003", exec.Stdout);
    }

    [Fact]
    public async Task EditThatFailsItsHealthcheck_RolledBack_UndoOfAnApiIsleAppliesTheGoodRevision()
    {
        await _h.StartDaemonAsync();
        var name = _h.NewName("rollout");
        const string check = "  healthcheck: {exec: [test, -e, /ready], interval: 1s, retries: 1}\n  update: {healthTimeout: 4s}\n";
        // restartPolicy Never: an unhealthy isle keeps running unhealthy (not restarted by its policy), so the rollback's reason is one.
        string Manifest(string script) => _h.IsleYaml(name, script, restartPolicy: "Never", extraSpec: check);
        async Task ApplyAsync(string script)
        {
            var file = Path.Combine(_h.Dir, "isle.yaml");
            File.WriteAllText(file, Manifest(script));
            var r = await _h.CtlAsync("apply", "-f", file);
            Assert.True(r.ExitCode == 0, r.ToString());
        }

        await ApplyAsync("touch /ready && exec sleep 100001");
        await _h.WaitIsleAsync(name, i => DaemonHarness.Phase(i) == "Running" && (string?)i["status"]?["health"]?["status"] == "healthy", Long, "healthy");

        await ApplyAsync("exec sleep 100002"); // never ready
        var back = await _h.WaitIsleAsync(name, i => DaemonHarness.Phase(i) == "Running" && Status(i, "reason") == "RolledBack", Long, "rolled back");
        Assert.StartsWith("revision 2 (generation 2) rolled back to generation 1 (revision 1): Unhealthy: exec [test, -e, /ready] not passing within 4s (health unhealthy)",
            Status(back, "message"));
        Assert.Contains("100002", back["spec"]!.ToJsonString()); // the desired spec stays generation 2; the isle runs 1
        Assert.Equal(1, ObservedGeneration(back));
        await _h.WaitIsleAsync(name, i => (string?)i["status"]?["health"]?["status"] == "healthy", Long, "generation 1 healthy again");

        await ApplyAsync("touch /ready && exec sleep 100003");
        await _h.WaitIsleAsync(name, i => ObservedGeneration(i) == 3 && Status(i, "reason") is null, Long, "generation 3 running");
        await DaemonLifecycleTests.WaitForAsync(() => _h.CtlAsync("rollout", "history", name).GetAwaiter().GetResult().Stdout.Contains("Complete *"),
            "revision 3 complete");

        // Undo goes back to the last good revision before the desired one: revision 1, as generation 4.
        var undo = await _h.CtlAsync("rollout", "undo", name);
        Assert.True(undo.ExitCode == 0, undo.ToString());
        Assert.Equal($"isle {name} rolled back to revision 1: its spec applied as generation 4\n", undo.Stdout);
        var four = await _h.WaitIsleAsync(name, i => ObservedGeneration(i) == 4 && DaemonHarness.Phase(i) == "Running", Long, "generation 4 running");
        Assert.Contains("100001", four["spec"]!.ToJsonString());
        await DaemonLifecycleTests.WaitForAsync(() => _h.CtlAsync("rollout", "history", name).GetAwaiter().GetResult().Stdout
            .Split('\n').Any(l => l.StartsWith("4 ", StringComparison.Ordinal) && l.Contains("Complete *", StringComparison.Ordinal)), "revision 4 complete");

        var json = await _h.CtlAsync("rollout", "history", name, "-o", "json");
        var items = JsonNode.Parse(json.Stdout)!["items"]!.AsArray();
        Assert.Equal(["Complete", "RolledBack", "Complete", "Complete"], items.Select(i => (string?)i!["result"]));
        Assert.Equal("Unhealthy", (string?)items[1]!["reason"]);

        var missing = await _h.CtlAsync("rollout", "undo", name, "--to-revision", "9");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains($"isle {name} has no revision 9", missing.Stderr);
    }
}
