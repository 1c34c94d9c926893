using Islander.Controller.Tests.Api;

namespace Islander.Controller.Tests.Cli;

/// <summary>
/// <c>islanderctl logs -l SELECTOR</c> against a real islanderd over the fake runtime: the selected isles' lines after
/// <c>[NAME] </c>, stdout and stderr kept apart, one isle after the other, or merged as they come with -f.
/// </summary>
public sealed class LogsCommandTests : IAsyncDisposable
{
    readonly DaemonFixture _d = new();

    public ValueTask DisposeAsync() => _d.DisposeAsync();

    static string Isle(string name, string app) => $$"""
        apiVersion: islander.io/v1
        kind: Isle
        metadata: {name: {{name}}, labels: {app: {{app}} } }
        spec: {rootfs: /srv/rootfs/busybox, command: [/bin/sleep], restartPolicy: Never}
        """;

    async Task StartAsync()
    {
        _d.Write("isles.yaml", string.Join("\n---\n", Isle("web1", "web"), Isle("web2", "web"), Isle("db", "db")));
        await _d.StartAsync();
        await _d.WaitAsync(() => _d.Runtime.IsRunning("web1") && _d.Runtime.IsRunning("web2") && _d.Runtime.IsRunning("db"), TimeSpan.FromSeconds(10), "the three isles running");
    }

    /// <summary>Until <c>logs -f</c> follows each isle's log: lines written before that would come in its backlog, whose order across isles is not the order they were written in.</summary>
    Task FollowingAsync(params string[] isles) =>
        _d.WaitAsync(() => isles.All(i => _d.Runtime.LogFollowers(i) > 0), TimeSpan.FromSeconds(10), "logs -f following " + string.Join(" and ", isles));

    [Fact]
    public async Task Selector_PrintsEachSelectedIslesLines_WithItsName_OnItsStream()
    {
        await StartAsync();
        _d.Runtime.WriteLog("web1", "one");
        _d.Runtime.WriteLog("web2", "two");
        _d.Runtime.WriteLog("web2", "oops", "stderr");
        _d.Runtime.WriteLog("db", "select");

        var (exit, stdout, stderr) = await _d.CtlAsync("logs", "-l", "app=web");

        Assert.Equal(0, exit);
        Assert.Equal("[web1] one\n[web2] two\n", stdout);
        Assert.Equal("[web2] oops\n", stderr);
        var last = await _d.CtlAsync("logs", "-l", "app in (web,db)", "--tail", "1", "--timestamps");
        // --tail 1 is each isle's last line: web2's is on stderr.
        Assert.Matches(@"^\[db\] \d{4}-\d\d-\d\dT\S+Z select\n\[web1\] \S+ one\n$", last.Out);
        Assert.Matches(@"^\[web2\] \S+Z oops\n$", last.Err);
        var none = await _d.CtlAsync("logs", "-l", "app=cache");
        Assert.Equal((0, "", "No isles found.\n"), none);
    }

    [Fact]
    public async Task NameAndSelector_IsAnError_SayingSo()
    {
        await StartAsync();

        var both = await _d.CtlAsync("logs", "web1", "-l", "app=web");
        Assert.Equal(1, both.Exit);
        Assert.Equal("error: -l selects the isles whose log to print: give the isle's name (web1) or -l, not both\n", both.Err);
        var neither = await _d.CtlAsync("logs");
        Assert.Equal(1, neither.Exit);
        Assert.Contains("logs needs an isle's name (logs NAME) or a selector (logs -l app=web)", neither.Err);
        var bad = await _d.CtlAsync("logs", "-l", "app in (web");
        Assert.Equal(1, bad.Exit);
        Assert.Contains("-l: label selector", bad.Err);
    }

    [Fact]
    public async Task Follow_MergesTheIslesLinesAsTheyCome_UntilTheLastEnds()
    {
        await StartAsync();
        _d.Runtime.WriteLog("web1", "before");

        var follow = _d.CtlAsync("logs", "-l", "app=web", "-f");
        await FollowingAsync("web1", "web2");
        _d.Runtime.WriteLog("web2", "second");
        await Task.Delay(100, TestContext.Current.CancellationToken);
        _d.Runtime.WriteLog("web1", "third");
        _d.Runtime.WriteLog("db", "not selected");
        await Task.Delay(100, TestContext.Current.CancellationToken);
        _d.Runtime.Exit("web1", 0);
        _d.Runtime.WriteLog("web2", "after web1 ended");
        await Task.Delay(100, TestContext.Current.CancellationToken);
        Assert.False(follow.IsCompleted, "-f ended while web2 was still running");
        _d.Runtime.Exit("web2", 0);

        var (exit, stdout, stderr) = await follow.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.Equal(0, exit);
        Assert.Equal("", stderr);
        // Each isle's lines in their order; across isles, the order they came in, which a loaded machine may change
        // (web1's "before" is read from its file while web2's "second" may come live first).
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["[web1] before", "[web1] third"], lines.Where(l => l.StartsWith("[web1]", StringComparison.Ordinal)));
        Assert.Equal(["[web2] second", "[web2] after web1 ended"], lines.Where(l => l.StartsWith("[web2]", StringComparison.Ordinal)));
        Assert.Equal(4, lines.Length);
        Assert.EndsWith("\n", stdout);
    }

    [Fact]
    public async Task Follow_ALineInParts_IsPrintedWhole_ALastLineWithoutNewlineGetsOne()
    {
        await StartAsync();

        var follow = _d.CtlAsync("logs", "-l", "app=web", "-f");
        await FollowingAsync("web1", "web2");
        _d.Runtime.WriteLogPart("web1", "first part, ");
        await Task.Delay(100, TestContext.Current.CancellationToken);
        _d.Runtime.WriteLog("web2", "between");
        await Task.Delay(100, TestContext.Current.CancellationToken);
        _d.Runtime.WriteLogPart("web1", "second part\n");
        _d.Runtime.WriteLogPart("web1", "no newline");
        _d.Runtime.WriteLogPart("web2", "err without one", "stderr");
        await Task.Delay(100, TestContext.Current.CancellationToken);
        _d.Runtime.Exit("web1", 0);
        _d.Runtime.Exit("web2", 0);

        var (exit, stdout, stderr) = await follow.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.Equal(0, exit);
        Assert.Equal("[web2] between\n[web1] first part, second part\n[web1] no newline\n", stdout);
        Assert.Equal("[web2] err without one\n", stderr);
    }
}
