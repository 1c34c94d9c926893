using Islander.Model;
using Islander.Model.Api;
using System.Diagnostics;
using System.Text.Json;
using Islander.Cli.Api;
using Islander.Controller.Tests;

namespace Islander.Controller.Tests.Api;

public sealed class ApiTests : IAsyncLifetime
{
    readonly DaemonFixture _d = new();

    public async ValueTask InitializeAsync() => await _d.StartAsync();

    public async ValueTask DisposeAsync() => await _d.DisposeAsync();

    static string Web(string command = "sleep", string restart = "Always") => ControllerHarness.IsleYaml("web", command, restart);

    async Task<ObjectView> WaitForPhaseAsync(string name, string phase, TimeSpan? timeout = null)
    {
        using var client = new IslanderClient(_d.Socket);
        ObjectView? last = null;
        await _d.WaitAsync(() =>
        {
            try { last = client.GetAsync("isles", name, default).GetAwaiter().GetResult(); }
            catch (ClientException) { return false; }
            return last.Status.Phase == phase;
        }, timeout ?? TimeSpan.FromSeconds(5), $"isle {name} to be {phase} (last: {last?.Status.Phase})");
        return last!;
    }

    [Fact]
    public async Task Apply_File_IsleRunsAndGetShowsIt()
    {
        var file = _d.WriteTemp("web.yaml", Web());

        var (exit, output, error) = await _d.CtlAsync("apply", "-f", file);

        Assert.True(exit == 0, error);
        Assert.Equal("isle/web created\n", output);
        var web = await WaitForPhaseAsync("web", "Running");
        Assert.Equal(_d.Runtime.Probe("web").Pid, web.Status.Pid);
        var (getExit, table, _) = await _d.CtlAsync("get", "isles");
        Assert.Equal(0, getExit);
        Assert.StartsWith("NAME   PHASE     PID", table);
        Assert.Contains("web    Running", table);
        Assert.Equal("isle/web unchanged\n", (await _d.CtlAsync("apply", "-f", file)).Out);
    }

    [Fact]
    public async Task Get_OutputJson_IsTheApiBodyExactly()
    {
        await _d.CtlAsync("apply", "-f", _d.WriteTemp("web.yaml", Web()));
        await WaitForPhaseAsync("web", "Running");

        var (_, json, _) = await _d.CtlAsync("get", "isle", "web", "-o", "json");
        var (_, yaml, _) = await _d.CtlAsync("get", "isle", "web", "-o", "yaml");

        using var doc = JsonDocument.Parse(json);
        Assert.Equal("Isle", doc.RootElement.GetProperty("kind").GetString());
        Assert.Equal("Running", doc.RootElement.GetProperty("status").GetProperty("phase").GetString());
        Assert.Contains("apiVersion: islander.io/v1\nkind: Isle\nmetadata:\n  name: web\n", yaml);
        Assert.Contains("  command:\n  - /bin/sleep\n", yaml);
    }

    [Fact]
    public async Task Apply_InvalidManifest_ExitOneWithFileLineAndNothingChanges()
    {
        await _d.CtlAsync("apply", "-f", _d.WriteTemp("web.yaml", Web()));
        await WaitForPhaseAsync("web", "Running");

        var (exit, _, error) = await _d.CtlAsync("apply", "-f", _d.WriteTemp("bad.yaml", Web(command: "httpd") + "  colour: blue\n"));

        Assert.Equal(1, exit);
        Assert.Matches(@"bad\.yaml:\d+:\d+: spec", error);
        Assert.Contains("colour", error);
        Assert.Equal(1, _d.Runtime.Incarnations("web"));
    }

    [Fact]
    public async Task Get_Missing_NotFoundExitOne()
    {
        var (exit, _, error) = await _d.CtlAsync("get", "isle", "nope");

        Assert.Equal(1, exit);
        Assert.Equal("error: isle \"nope\" not found\n", error);
    }

    [Fact]
    public async Task Ctl_DaemonNotRunning_SaysHowToStartIt()
    {
        var socket = Path.Combine(_d.Dir, "nobody.sock");

        var (exit, _, error) = await DaemonFixture.CtlAsync(["get", "isles"], socket, TestContext.Current.CancellationToken);

        Assert.Equal(1, exit);
        Assert.Contains($"cannot connect to islanderd at {socket}: is it running? start it with", error);
    }

    [Fact]
    public async Task Socket_Mode0660()
    {
        await Task.Yield();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, File.GetUnixFileMode(_d.Socket));
    }

    [Fact]
    public async Task Delete_ApiObject_PrunedFromRuntime()
    {
        var file = _d.WriteTemp("web.yaml", Web());
        await _d.CtlAsync("apply", "-f", file);
        await WaitForPhaseAsync("web", "Running");

        var (exit, output, _) = await _d.CtlAsync("delete", "-f", file);

        Assert.Equal(0, exit);
        Assert.Equal("isle/web deleted\n", output);
        await _d.WaitAsync(() => _d.Runtime.Names.Count == 0 && _d.CtlAsync("get", "isle", "web").GetAwaiter().GetResult().Exit == 1,
            TimeSpan.FromSeconds(5), "the isle to be removed");
    }

    [Fact]
    public async Task Delete_ManifestFileObject_ConflictSaysEditTheFile()
    {
        _d.Write("web.yaml", Web());
        await WaitForPhaseAsync("web", "Running");

        var (exit, _, error) = await _d.CtlAsync("delete", "isle", "web");

        Assert.Equal(1, exit);
        Assert.Contains("web.yaml", error);
        Assert.True(_d.Runtime.IsRunning("web"));
    }

    [Fact]
    public async Task ManifestDirectory_EditedAndRemoved_RecreatedThenPruned()
    {
        _d.Write("web.yaml", Web());
        await WaitForPhaseAsync("web", "Running");

        _d.Write("web.yaml", Web(command: "httpd"));
        await _d.WaitAsync(() => _d.Runtime.SpecOf("web")?.Command[0] == "/bin/httpd" && _d.Runtime.IsRunning("web"), TimeSpan.FromSeconds(5), "recreate");
        File.Delete(Path.Combine(_d.Options.Manifests, "web.yaml"));

        await _d.WaitAsync(() => _d.Runtime.Names.Count == 0, TimeSpan.FromSeconds(5), "prune");
    }

    [Fact]
    public async Task ManifestDirectory_EditorBackupsAndDotfiles_Ignored()
    {
        _d.Write(".web.yaml", Web());
        _d.Write("web.yaml~", Web());
        _d.Write("web.yaml.swp", Web());
        _d.Write("web.json", Web());
        _d.Write("db.yml", ControllerHarness.IsleYaml("db"));

        await WaitForPhaseAsync("db", "Running");

        Assert.Equal(["db"], _d.Runtime.Names);
    }

    [Fact]
    public async Task Drift_IsleKilled_RunningAgainWithinOneSecond()
    {
        _d.Write("web.yaml", Web());
        await WaitForPhaseAsync("web", "Running");

        var clock = Stopwatch.StartNew();
        _d.Runtime.Kill("web", 9);
        await _d.WaitAsync(() => _d.Runtime.IsRunning("web") && _d.Runtime.Incarnations("web") == 2, TimeSpan.FromSeconds(1), "the isle to be restarted");

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed}");
        var web = await WaitForPhaseAsync("web", "Running");
        Assert.Equal(1, web.Status.RestartCount);
    }

    [Fact]
    public async Task DaemonStop_IslesKeepRunning_NextDaemonAdoptsThem()
    {
        _d.Write("web.yaml", Web());
        var before = await WaitForPhaseAsync("web", "Running");

        await _d.StopAsync(); // SIGTERM: the host stops, isles stay
        Assert.True(_d.Runtime.IsRunning("web"));
        await _d.StartAsync();

        var after = await WaitForPhaseAsync("web", "Running");
        Assert.Equal(before.Status.Pid, after.Status.Pid);
        Assert.Equal(1, _d.Runtime.Incarnations("web"));
    }

    [Fact]
    public async Task Logs_TailAndFollow_StreamLines()
    {
        _d.Write("web.yaml", Web());
        await WaitForPhaseAsync("web", "Running");
        _d.Runtime.WriteLog("web", "one");
        _d.Runtime.WriteLog("web", "two");

        Assert.Equal("two\n", (await _d.CtlAsync("logs", "web", "--tail", "1")).Out);

        using var client = new IslanderClient(_d.Socket);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var lines = new List<string>();
        _ = Task.Delay(200, TestContext.Current.CancellationToken).ContinueWith(_ => _d.Runtime.Exit("web", 0), TestContext.Current.CancellationToken);
        await foreach (var line in client.LogAsync("web", new IsleLogQuery(Tail: 0, Follow: true), cts.Token)) lines.Add(line.Log);

        Assert.Empty(lines); // tail 0: no old lines; and the stream ended with the isle, not with the timeout
        Assert.False(cts.IsCancellationRequested);
    }

    [Fact]
    public async Task Logs_Follow_SeesNewLines()
    {
        _d.Write("web.yaml", Web());
        await WaitForPhaseAsync("web", "Running");

        using var client = new IslanderClient(_d.Socket);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var lines = new List<string>();
        var reading = Task.Run(async () =>
        {
            await foreach (var line in client.LogAsync("web", new IsleLogQuery(Follow: true), cts.Token))
            {
                lines.Add(line.Log);
                if (lines.Count == 2) break;
            }
        }, TestContext.Current.CancellationToken);
        await Task.Delay(200, TestContext.Current.CancellationToken);
        _d.Runtime.WriteLog("web", "hello");
        _d.Runtime.WriteLog("web", "world");
        await reading;

        Assert.Equal(["hello\n", "world\n"], lines);
    }

    [Fact]
    public async Task Events_Watch_StreamsNewEvents()
    {
        using var client = new IslanderClient(_d.Socket);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var seen = new List<EventView>();
        var watching = Task.Run(async () =>
        {
            await foreach (var e in client.WatchEventsAsync(cts.Token))
            {
                seen.Add(e);
                if (e.Reason == "Started") break;
            }
        }, TestContext.Current.CancellationToken);

        _d.Write("web.yaml", Web());
        await watching;

        Assert.Contains(seen, e => e.Name == "web" && e.Reason == "Starting");
        var (exit, table, _) = await _d.CtlAsync("events");
        Assert.Equal(0, exit);
        Assert.Contains("Started", table);
    }

    [Fact]
    public async Task Events_WatchWithoutHistory_OnlyEventsAfterTheAnswer()
    {
        _d.Write("web.yaml", Web());
        await WaitForPhaseAsync("web", "Running");
        using var client = new IslanderClient(_d.Socket);
        long recorded = (await client.EventsAsync(TestContext.Current.CancellationToken)).Max(e => e.Id);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var answered = new TaskCompletionSource();
        var seen = new List<EventView>();
        var watching = Task.Run(async () =>
        {
            await foreach (var e in client.WatchEventsAsync(cts.Token, history: false, answered: answered.SetResult))
            {
                seen.Add(e);
                if (e.Reason == "Deleted") break;
            }
        }, TestContext.Current.CancellationToken);
        await answered.Task.WaitAsync(cts.Token);

        File.Delete(Path.Combine(_d.Options.Manifests, "web.yaml"));
        await watching;

        Assert.NotEmpty(seen);
        Assert.All(seen, e => Assert.True(e.Id > recorded, $"event {e.Id} {e.Reason} was recorded before the watch (up to {recorded})"));
    }

    [Fact]
    public async Task Diff_ChangedSpec_UnifiedDiffExitOne()
    {
        await _d.CtlAsync("apply", "-f", _d.WriteTemp("web.yaml", Web()));
        await WaitForPhaseAsync("web", "Running");

        var (exit, output, error) = await _d.CtlAsync("diff", "-f", _d.WriteTemp("web2.yaml", Web(command: "httpd")));
        var (same, nothing, _) = await _d.CtlAsync("diff", "-f", Path.Combine(_d.Dir, "web.yaml"));

        Assert.True(exit == 1, error);
        Assert.Contains("-- /bin/sleep", output);
        Assert.Contains("+- /bin/httpd", output);
        Assert.Equal(0, same);
        Assert.Equal("", nothing);
        Assert.Equal(1, _d.Runtime.Incarnations("web"));
    }

    [Fact]
    public async Task Diff_ChangedSpecAndNewIsle_ShowsThePlanTheDaemonWouldCarryOut()
    {
        await _d.CtlAsync("apply", "-f", _d.WriteTemp("web.yaml", Web()));
        await WaitForPhaseAsync("web", "Running");

        var yaml = Web(command: "httpd") + "\n---\n" + ControllerHarness.IsleYaml("db") + "\n---\n"
            + ControllerHarness.IsleYaml("api", dependsOn: "ghost");
        var (exit, output, error) = await _d.CtlAsync("diff", "-f", _d.WriteTemp("all.yaml", yaml));

        Assert.True(exit == 1, error);
        Assert.Contains("-- /bin/sleep", output);
        Assert.Contains("plan:\n  + start isle db (New)\n  ~ restart isle web with its new spec (spec changed)\n"
            + "      ~ spec.command: [\"/bin/sleep\"] -> [\"/bin/httpd\"] (restart)\n  ! Isle/api: depends on isle ghost, which is not defined\n", output);
        Assert.Equal(1, _d.Runtime.Incarnations("web"));
        Assert.False(_d.Runtime.IsRunning("db"));
    }

    [Fact]
    public async Task ApplyDryRun_Unchanged_EmptyPlan()
    {
        await _d.CtlAsync("apply", "-f", _d.WriteTemp("web.yaml", Web()));
        await WaitForPhaseAsync("web", "Running");
        using var client = new IslanderClient(_d.Socket);

        var result = await client.ApplyAsync(Web(), "web.yaml", dryRun: true, TestContext.Current.CancellationToken);

        Assert.True(result.DryRun);
        Assert.Empty(result.Plan!);
    }

    [Fact]
    public async Task Describe_Isle_ShowsStatusSpecAndEvents()
    {
        _d.Write("web.yaml", Web());
        await WaitForPhaseAsync("web", "Running");

        var (exit, output, _) = await _d.CtlAsync("describe", "isle", "web");

        Assert.Equal(0, exit);
        Assert.Contains("Phase:", output);
        Assert.Contains("Running", output);
        Assert.Contains("/bin/sleep", output);
        Assert.Contains("Started", output);
    }

    [Fact]
    public async Task Get_BadManifestInDirectory_StatusInvalidManifestWithFileLine()
    {
        _d.Write("web.yaml", Web());
        await WaitForPhaseAsync("web", "Running");

        _d.Write("web.yaml", Web() + "  colour: blue\n");
        using var client = new IslanderClient(_d.Socket);
        ObjectView? web = null;
        await _d.WaitAsync(() => (web = client.GetAsync("isles", "web", default).GetAwaiter().GetResult()).Status.Reason == "InvalidManifest",
            TimeSpan.FromSeconds(5), "InvalidManifest");

        Assert.Equal("Running", web!.Status.Phase);
        Assert.Matches(@"web\.yaml:\d+:\d+: spec", web.Status.Message);
        Assert.Equal(1, _d.Runtime.Incarnations("web"));
    }

    [Fact]
    public async Task ManifestDirectory_ManyEditsInARow_EachNoticed()
    {
        for (int i = 1; i <= 3; i++)
        {
            _d.Write("web.yaml", Web(command: $"cmd{i}"));
            await _d.WaitAsync(() => _d.Runtime.SpecOf("web")?.Command[0] == $"/bin/cmd{i}", TimeSpan.FromSeconds(5), $"edit {i}");
        }
    }
}
