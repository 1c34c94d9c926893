using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary>
/// A git source end to end: a real islanderd fetching over git:// from a <c>git daemon</c> on 127.0.0.1 that the
/// test runs, isles started from the repository, a pushed commit applied at once by the webhook, a local checkout's
/// edits previewed against the source (<c>islanderctl diff -f DIR --source</c>) without applying them, an invalid
/// revision and an unreachable remote changing nothing that runs.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class DaemonGitSourceTests : IAsyncDisposable
{
    readonly DaemonHarness _h;
    readonly GitRemote _git = new();
    Process? _gitDaemon;

    public DaemonGitSourceTests()
    {
        HostCaps.RequireRoot();
        _h = new DaemonHarness();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _h.DisposeAsync();
        }
        finally
        {
            StopGitDaemon();
            _git.Dispose();
        }
    }

    /// <summary>git daemon serving the remote's directory on a free port of 127.0.0.1; returns the repository's git:// URL once it answers.</summary>
    async Task<string> StartGitDaemonAsync()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var info = new ProcessStartInfo("git") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "daemon", "--reuseaddr", "--listen=127.0.0.1", $"--port={port}", $"--base-path={_git.Dir}", "--export-all", _git.Dir })
            info.ArgumentList.Add(a);
        _gitDaemon = Process.Start(info)!;
        var url = $"git://127.0.0.1:{port}/remote.git";
        await DaemonLifecycleTests.WaitForAsync(() => LsRemoteWorks(url), $"git daemon answering at {url}", seconds: 30);
        return url;
    }

    static bool LsRemoteWorks(string url)
    {
        try
        {
            GitRemote.Git("/", "ls-remote", url);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    void StopGitDaemon()
    {
        if (_gitDaemon is not { } p) return;
        if (!p.HasExited) p.Kill(entireProcessTree: true);
        p.WaitForExit();
        p.Dispose();
        _gitDaemon = null;
    }

    async Task<JsonObject> SourceAsync() =>
        JsonNode.Parse(await _h.Http.GetStringAsync($"{DaemonHarness.Api}/sources/apps", TestContext.Current.CancellationToken))!.AsObject();

    async Task<JsonObject> WaitSourceAsync(Func<JsonObject, bool> until, string what)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            var source = await SourceAsync();
            if (until(source)) return source;
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(30), $"source apps: not {what} within 30 s; last: {source.ToJsonString()}\n--- islanderd:\n{_h.DaemonOutput}");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    async Task FetchNowAsync()
    {
        using var response = await _h.Http.PostAsync($"{DaemonHarness.Api}/sources/apps/fetch", null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task GitSource_CommitsWebhookInvalidRevisionUnreachableRemote()
    {
        var name = _h.NewName("gitweb");
        var db = _h.NewName("gitdb");
        _git.Commit("first", ($"hosts/web1/{name}.yaml", _h.IsleYaml(name, "sleep 3600")), ($"hosts/web1/{db}.yaml", _h.IsleYaml(db, "sleep 3600")));
        var url = await StartGitDaemonAsync();
        await _h.StartDaemonAsync();
        // A long interval: after the first fetch only the webhook fetches, so what follows is the webhook's doing.
        _h.WriteManifest("apps.yaml", $"""
            apiVersion: islander.io/v1
            kind: Source
            metadata: {"{name: apps}"}
            spec:
              git: {"{"}url: "{url}", ref: main, path: hosts/web1, interval: 1h{"}"}
            """);

        var isle = await _h.WaitRunningAsync(name, 30);
        Assert.Equal("source/apps", (string?)isle["metadata"]?["managedBy"]);
        Assert.Equal($"hosts/web1/{name}.yaml:1", (string?)isle["metadata"]?["source"]);
        int pid = DaemonHarness.Pid(isle)!.Value;
        var source = await WaitSourceAsync(s => (string?)s["status"]?["phase"] == "Ready", "Ready");
        Assert.StartsWith("main@sha1:", (string?)source["status"]?["appliedRevision"]);
        var listed = await _h.CtlAsync("get", "sources");
        Assert.True(listed.ExitCode == 0, listed.ToString());
        Assert.Matches(@"apps\s+True\s+main@[0-9a-f]{12}\s+2\s", listed.Stdout);
        int dbPid = DaemonHarness.Pid(await _h.WaitRunningAsync(db, 30))!.Value;

        // The API does not change or delete what the repository defines.
        var delete = await _h.CtlAsync("delete", "isle", name);
        Assert.NotEqual(0, delete.ExitCode);
        Assert.Contains("comes from source/apps", delete.Stderr);

        // A pushed commit, applied at once through the webhook.
        var second = _git.Commit("second", ($"hosts/web1/{name}.yaml", _h.IsleYaml(name, "sleep 3601")));
        await FetchNowAsync();
        isle = await _h.WaitIsleAsync(name, i => DaemonHarness.Generation(i) == 2 && DaemonHarness.Phase(i) == "Running" && DaemonHarness.Pid(i) is { } p && p != pid,
            TimeSpan.FromSeconds(30), "generation 2 running");
        pid = DaemonHarness.Pid(isle)!.Value;
        await WaitSourceAsync(s => (string?)s["status"]?["appliedRevision"] == $"main@sha1:{second}", "at the second commit");

        // A checkout of the repository, edited and not pushed, previewed as the source's tree: the changed isle, the
        // pruned one and the plan, exit 1, and nothing applied.
        var checkout = Path.Combine(_git.Dir, "checkout");
        GitRemote.Git(_git.Dir, "clone", "--quiet", _git.Bare, checkout);
        File.WriteAllText(Path.Combine(checkout, $"hosts/web1/{name}.yaml"), _h.IsleYaml(name, "sleep 3700"));
        File.Delete(Path.Combine(checkout, $"hosts/web1/{db}.yaml"));
        var diff = await _h.CtlAsync("diff", "-f", Path.Combine(checkout, "hosts/web1"), "--source", "apps");
        Assert.True(diff.ExitCode == 1, diff.ToString());
        Assert.True(diff.Stdout.Contains($"--- a/isle/{name} (live)\n+++ b/isle/{name} (", StringComparison.Ordinal), diff.ToString());
        Assert.True(diff.Stdout.Contains("\n-- sleep 3601\n+- sleep 3700\n", StringComparison.Ordinal), diff.ToString());
        Assert.True(diff.Stdout.Contains($"--- a/isle/{db} (live)\n+++ /dev/null (pruned", StringComparison.Ordinal), diff.ToString());
        Assert.True(diff.Stdout.Contains("plan:\n", StringComparison.Ordinal), diff.ToString());
        Assert.True(diff.Stdout.Contains($"\n  ~ restart isle {name} with its new spec (spec changed)\n", StringComparison.Ordinal), diff.ToString());
        Assert.True(diff.Stdout.Contains("~ spec.command: [\"sh\",\"-c\",\"sleep 3601\"] -> [\"sh\",\"-c\",\"sleep 3700\"] (restart)", StringComparison.Ordinal), diff.ToString());
        Assert.True(diff.Stdout.Contains($"\n  - stop isle {db}\n  - delete isle {db}\n", StringComparison.Ordinal), diff.ToString());
        var afterDiff = await SourceAsync();
        Assert.Equal($"main@sha1:{second}", (string?)afterDiff["status"]?["appliedRevision"]);
        isle = (await _h.GetIsleAsync(name))!;
        Assert.Equal(2, DaemonHarness.Generation(isle));
        Assert.Equal(pid, DaemonHarness.Pid(isle));
        Assert.Equal("Running", DaemonHarness.Phase(isle));
        var dbIsle = (await _h.GetIsleAsync(db))!;
        Assert.Equal(dbPid, DaemonHarness.Pid(dbIsle));
        Assert.Equal("Running", DaemonHarness.Phase(dbIsle));

        // An invalid revision is refused whole: the isle runs on as it was.
        var bad = _git.Commit("bad", ($"hosts/web1/{name}.yaml", _h.IsleYaml(name, "sleep 3602").Replace("restartPolicy: Always", "restartPolicy: Sometimes")));
        await FetchNowAsync();
        source = await WaitSourceAsync(s => (string?)s["status"]?["reason"] == "InvalidManifest", "refusing the bad revision");
        Assert.Contains($"hosts/web1/{name}.yaml:", (string?)source["status"]?["message"]);
        Assert.Equal("False", (string?)source["status"]?["conditions"]?[0]?["status"]);
        Assert.Equal($"main@sha1:{bad}", (string?)source["status"]?["fetchedRevision"]);
        Assert.Equal($"main@sha1:{second}", (string?)source["status"]?["appliedRevision"]);
        Assert.Equal(pid, DaemonHarness.Pid((await _h.GetIsleAsync(name))!));

        // The remote unreachable: nothing is pruned or restarted.
        StopGitDaemon();
        await FetchNowAsync();
        source = await WaitSourceAsync(s => (string?)s["status"]?["reason"] == "GitOperationFailed", "failing to fetch");
        Assert.Contains("nothing is pruned", (string?)source["status"]?["message"]);
        isle = (await _h.GetIsleAsync(name))!;
        Assert.Equal(pid, DaemonHarness.Pid(isle));
        Assert.Equal("Running", DaemonHarness.Phase(isle));
        var described = await _h.CtlAsync("describe", "source", "apps");
        Assert.Contains("Ready:", described.Stdout);
        Assert.Contains("False (GitOperationFailed", described.Stdout);
    }
}
