using System.Diagnostics;
using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary>
/// Selections as a user types them, islanderctl (the built binary) against a real islanderd and real isles: <c>-l</c> on
/// get, stats, events and delete, a bad selector, <c>get all</c>, <c>get -w</c> ended by Ctrl-C, <c>delete --all</c>
/// next to an isle from a manifest file.
/// </summary>
[Collection(IslanderctlCollection.Name)]
public sealed class IslanderctlSelectionTests : IAsyncDisposable
{
    readonly DaemonHarness _h;

    public IslanderctlSelectionTests()
    {
        HostCaps.RequireRoot();
        _h = new DaemonHarness();
    }

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    string Isle(string name, string app) => _h.IsleYaml(name, "exec sleep 1000").Replace("test: e2e", $"test: e2e, app: {app}");

    async Task<DaemonHarness.CtlResult> OkAsync(params string[] args)
    {
        var r = await _h.CtlAsync(args);
        Assert.True(r.ExitCode == 0, $"islanderctl {string.Join(' ', args)}: {r}");
        return r;
    }

    [Fact]
    public async Task Selectors_Watch_DeleteAll_AsAUserTypesThem()
    {
        await _h.StartDaemonAsync();
        string file = _h.NewName("file"), web = _h.NewName("web"), db = _h.NewName("db");
        var fromFile = _h.WriteManifest("file.yaml", Isle(file, "web"));
        var applied = Path.Combine(_h.Dir, "applied.yaml");
        await File.WriteAllTextAsync(applied, Isle(web, "web") + "\n---\n" + Isle(db, "db"), TestContext.Current.CancellationToken);
        await OkAsync("apply", "-f", applied);
        foreach (var name in new[] { file, web, db }) await _h.WaitRunningAsync(name);

        var get = await OkAsync("get", "isles", "-l", "app=web");
        Assert.Contains(file, get.Stdout);
        Assert.Contains(web, get.Stdout);
        Assert.DoesNotContain(db, get.Stdout);
        var notWeb = await OkAsync("get", "isles", "-l", "app!=web,test", "-o", "json");
        Assert.Contains($"\"name\":\"{db}\"", notWeb.Stdout);
        Assert.DoesNotContain($"\"name\":\"{web}\"", notWeb.Stdout);

        var bad = await _h.CtlAsync("get", "isles", "-l", "app in (web");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("-l: label selector \"app in (web\": at character 12: the set after \"in\" needs a closing \")\"", bad.Stderr);

        var stats = await OkAsync("stats", "--no-stream", "-l", "app=db");
        Assert.Contains(db, stats.Stdout);
        Assert.DoesNotContain(web, stats.Stdout);
        var events = await OkAsync("events", "-l", "app=db");
        Assert.Contains($"isle/{db}", events.Stdout);
        Assert.DoesNotContain($"isle/{web}", events.Stdout);
        var all = await OkAsync("get", "all");
        Assert.Contains($"isle/{file} ", all.Stdout);

        // get -w: the table, then a line per change, until Ctrl-C.
        using var watch = _h.StartCtl("get", "isles", "-w", "-l", "app=web");
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(20));
            async Task<string> LineAsync() => await watch.StandardOutput.ReadLineAsync(timeout.Token)
                ?? throw new Xunit.Sdk.XunitException($"get -w ended: {await watch.StandardError.ReadToEndAsync(CancellationToken.None)}");
            Assert.StartsWith("NAME ", await LineAsync());
            var rows = new[] { await LineAsync(), await LineAsync() };
            Assert.Single(rows, r => r.StartsWith(file + " ") && r.Contains("Running"));
            Assert.Single(rows, r => r.StartsWith(web + " ") && r.Contains("Running"));

            // delete -l of a mix: the applied isle goes, the file's is refused, naming its file.
            var delete = await _h.CtlAsync("delete", "isles", "-l", "app=web");
            Assert.True(delete.ExitCode == 1, delete.ToString());
            Assert.Equal($"isle/{web} deleted\n", delete.Stdout);
            Assert.Contains($"error: Isle/{file} comes from {fromFile}", delete.Stderr);

            string line;
            do line = await LineAsync();
            while (!line.StartsWith(web + " ") || !line.Contains("Deleted"));
            Assert.False(watch.HasExited);
            Assert.Equal(0, Tmds.Linux.LibC.kill(watch.Id, Tmds.Linux.LibC.SIGINT)); // Ctrl-C
            await watch.WaitForExitAsync(timeout.Token);
            Assert.Equal(0, watch.ExitCode);
        }
        finally
        {
            if (!watch.HasExited) watch.Kill();
            await watch.WaitForExitAsync(CancellationToken.None);
        }

        var deleteAll = await _h.CtlAsync("delete", "isles", "--all");
        Assert.Equal(1, deleteAll.ExitCode);
        Assert.Contains($"isle/{db} deleted", deleteAll.Stdout);
        Assert.Contains($"error: Isle/{file} comes from {fromFile}", deleteAll.Stderr);
        var sw = Stopwatch.StartNew();
        while ((await _h.ListIslesAsync()).Count > 1)
        {
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), "deleted isles still listed");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
        Assert.NotNull(await _h.GetIsleAsync(file));
    }

    /// <summary>logs -l: the selected isles' lines after [NAME] on stdout and stderr; -f ends when the last of them ends.</summary>
    [Fact]
    public async Task LogsSelector_PrefixesEachIslesLines_FollowEndsWithTheLastIsle()
    {
        await _h.StartDaemonAsync();
        string a = _h.NewName("a"), b = _h.NewName("b"), other = _h.NewName("other");
        var file = Path.Combine(_h.Dir, "logs.yaml");
        string Yaml(string name, string app, string script) =>
            _h.IsleYaml(name, script, restartPolicy: "Never").Replace("test: e2e", $"test: e2e, app: {app}");
        await File.WriteAllTextAsync(file, string.Join("\n---\n",
            Yaml(a, "logs", "echo out of a; echo err of a >&2; while [ ! -e /end ]; do sleep 0.1; done"),
            Yaml(b, "logs", "echo out of b; while [ ! -e /end ]; do sleep 0.1; done; echo b ends"),
            Yaml(other, "quiet", "echo not selected; exec sleep 1000")), TestContext.Current.CancellationToken);
        await OkAsync("apply", "-f", file);
        int pa = DaemonHarness.Pid(await _h.WaitRunningAsync(a))!.Value, pb = DaemonHarness.Pid(await _h.WaitRunningAsync(b))!.Value;
        await _h.WaitRunningAsync(other);
        bool Wrote(string isle, bool stderr) => _h.CtlAsync("logs", isle).GetAwaiter().GetResult() is var r && (stderr ? r.Stderr : r.Stdout).Length > 0;
        await DaemonLifecycleTests.WaitForAsync(() => Wrote(a, false) && Wrote(a, true) && Wrote(b, false), "a's and b's first lines");

        var logs = await OkAsync("logs", "-l", "app=logs");
        Assert.Equal($"[{a}] out of a\n[{b}] out of b\n", logs.Stdout);
        Assert.Equal($"[{a}] err of a\n", logs.Stderr);

        var both = await _h.CtlAsync("logs", a, "-l", "app=logs");
        Assert.Equal(1, both.ExitCode);
        Assert.Contains($"give the isle's name ({a}) or -l, not both", both.Stderr);

        // From now, not --tail 0: islanderctl may start following only after b wrote its last line.
        var since = DateTime.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        var follow = _h.CtlAsync("logs", "-f", "--since", since, "-l", "app=logs");
        await File.WriteAllTextAsync($"/proc/{pb}/root/end", "", TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync($"/proc/{pa}/root/end", "", TestContext.Current.CancellationToken);
        var followed = await follow.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        Assert.True(followed.ExitCode == 0, followed.ToString());
        Assert.Equal($"[{b}] b ends\n", followed.Stdout);
    }
}
