using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary>
/// Isle logs end to end: a real islanderd, real isles, the shim's json-file on disk, and <c>islanderctl logs</c> with
/// its flags; rotation (the spec's and the config's limits), <c>-f</c> across rotations, a flood, a delete.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed partial class DaemonLogTests : IAsyncDisposable
{
    readonly DaemonHarness _h;

    public DaemonLogTests()
    {
        HostCaps.RequireRoot();
        _h = new DaemonHarness();
    }

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    string[] LogFiles(string isle) =>
        Directory.Exists(Path.GetDirectoryName(_h.LogFile(isle))) ? [.. Directory.GetFiles(Path.GetDirectoryName(_h.LogFile(isle))!, "log.json*").Order()] : [];

    /// <summary>Bytes of the isle's log files now; a file renamed away meanwhile (a rotation) counts nothing.</summary>
    long LogBytes(string isle) => LogFiles(isle).Sum(f =>
    {
        try { return new FileInfo(f).Length; }
        catch (FileNotFoundException) { return 0; }
    });

    async Task<string> EndedAsync(string name)
    {
        var isle = await _h.WaitIsleAsync(name, i => DaemonHarness.Phase(i) is "Succeeded" or "Failed", TimeSpan.FromSeconds(60), "the isle to end");
        return DaemonHarness.Phase(isle)!;
    }

    [Fact]
    public async Task Logs_StreamsApartWithTimestampsSinceAndUntil()
    {
        await _h.StartDaemonAsync();
        var name = _h.NewName();
        _h.WriteManifest("apart.yaml", _h.IsleYaml(name, "echo out1; echo err1 >&2; sleep 2; echo out2", restartPolicy: "Never"));
        Assert.Equal("Succeeded", await EndedAsync(name));

        var all = await _h.CtlAsync("logs", name);
        Assert.True(all.ExitCode == 0, all.ToString());
        Assert.Equal("out1\nout2\n", all.Stdout);
        Assert.Equal("err1\n", all.Stderr);

        var stamped = await _h.CtlAsync("logs", "--timestamps", name);
        var times = stamped.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => StampedLine().Match(l)).ToList();
        Assert.All(times, m => Assert.True(m.Success, stamped.ToString()));
        Assert.Equal(["out1", "out2"], times.Select(m => m.Groups[2].Value));
        var out1 = DateTimeOffset.Parse(times[0].Groups[1].Value[..26] + "Z", CultureInfo.InvariantCulture);
        var out2 = DateTimeOffset.Parse(times[1].Groups[1].Value[..26] + "Z", CultureInfo.InvariantCulture);
        Assert.True(out2 - out1 >= TimeSpan.FromSeconds(1.5), stamped.Stdout);

        var since = await _h.CtlAsync("logs", "--since", out2.AddMilliseconds(-500).ToString("O", CultureInfo.InvariantCulture), name);
        Assert.Equal(("out2\n", ""), (since.Stdout, since.Stderr));
        var until = await _h.CtlAsync("logs", "--until", out1.AddMilliseconds(500).ToString("O", CultureInfo.InvariantCulture), name);
        Assert.Equal(("out1\n", "err1\n"), (until.Stdout, until.Stderr));
        var recent = await _h.CtlAsync("logs", "--since", "10m", "--tail", "1", name);
        Assert.Equal("out2\n", recent.Stdout);
        var future = await _h.CtlAsync("logs", "--since", "2099-01-01T00:00:00Z", name);
        Assert.Equal(("", ""), (future.Stdout, future.Stderr));

        var bad = await _h.CtlAsync("logs", "--since", "yesterday", name);
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("--since takes a duration back from now (10m", bad.Stderr);
    }

    [Fact]
    public async Task LogsFollow_AcrossRotations_EveryLineInOrder_WithTheConfigsLimits()
    {
        var config = Path.Combine(_h.Dir, "config.yaml");
        File.WriteAllText(config, "logs: {maxSize: 128Ki, maxFiles: 2}\n");
        await _h.StartDaemonAsync("--config", config);
        var name = _h.NewName();
        // About 1 KiB a line, 2 ms apart: a file of 128 KiB every quarter of a second, which `logs -f` (polling every
        // 100 ms) follows from one file to the next. The isle writes them once the follower has read its first line
        // (/go), so however slowly islanderctl starts, no line has rotated away before it follows.
        _h.WriteManifest("rotate.yaml", _h.IsleYaml(name,
            "echo ready; while [ ! -e /go ]; do usleep 20000; done; " +
            "pad=$(yes x | head -c 2000 | tr -d '\\n'); i=0; while [ $i -lt 600 ]; do echo \"$pad $i\"; i=$((i+1)); usleep 2000; done",
            restartPolicy: "Never"));
        int pid = DaemonHarness.Pid(await _h.WaitRunningAsync(name))!.Value;

        using var follow = _h.StartCtl("logs", "-f", name);
        Assert.Equal("ready", await follow.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken));
        await File.WriteAllTextAsync($"/proc/{pid}/root/go", "", TestContext.Current.CancellationToken);
        var stdout = await follow.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await follow.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.Equal(0, follow.ExitCode);
        Assert.Equal(string.Concat(Enumerable.Range(0, 600).Select(i => $"{new string('x', 1000)} {i}\n")), stdout);
        Assert.Equal("Succeeded", await EndedAsync(name));
        // The config's limits: two files, each at most 128 KiB.
        var files = LogFiles(name);
        Assert.Equal([_h.LogFile(name), _h.LogFile(name) + ".1"], files);
        Assert.All(files, f => Assert.InRange(new FileInfo(f).Length, 1, 128 * 1024));
        Assert.EndsWith(" 599\n", (await _h.CtlAsync("logs", "--tail", "1", name)).Stdout);
    }

    /// <summary>
    /// An isle adopted from a release whose shim wrote plain text to <c>log</c>: stands in for it here by writing that file
    /// next to the isle's log.json (a shim of that release cannot be run from this tree).
    /// </summary>
    [Fact]
    public async Task Logs_LegacyTextLogFirst_TimedByItsLastWrite_RemovedWithTheIsle()
    {
        await _h.StartDaemonAsync();
        var name = _h.NewName();
        _h.WriteManifest("legacy.yaml", _h.IsleYaml(name, "echo new; exec sleep 1000"));
        await DaemonLifecycleTests.WaitForAsync(() => File.Exists(_h.LogFile(name)) && File.ReadAllText(_h.LogFile(name)).Contains("new"), "the isle's line in log.json");
        var legacy = Path.Combine(Path.GetDirectoryName(_h.LogFile(name))!, "log");
        await File.WriteAllTextAsync(legacy, "old out\nold err\n", TestContext.Current.CancellationToken);
        File.SetLastWriteTimeUtc(legacy, new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc));

        var all = await _h.CtlAsync("logs", name);
        Assert.True(all.ExitCode == 0, all.ToString());
        Assert.Equal(("old out\nold err\nnew\n", ""), (all.Stdout, all.Stderr));
        var stamped = await _h.CtlAsync("logs", "--timestamps", "--until", "2026-06-01T00:00:00Z", name);
        Assert.Equal("2026-01-02T03:04:05.000000000Z old out\n2026-01-02T03:04:05.000000000Z old err\n", stamped.Stdout);

        _h.RemoveManifest("legacy.yaml");
        await DaemonLifecycleTests.WaitForAsync(() => !File.Exists(legacy), "the legacy log removed with the isle");
    }

    [Fact]
    public async Task Flood_StaysWithinTheSpecsLimits_DaemonAnswers_DeleteRemovesTheLog()
    {
        await _h.StartDaemonAsync();
        var name = _h.NewName();
        _h.WriteManifest("flood.yaml", _h.IsleYaml(name, "yes | head -c 40000000; echo done", restartPolicy: "Never",
            extraSpec: "  logging: {maxSize: 128Ki, maxFiles: 3}\n"));
        await _h.WaitIsleAsync(name, i => DaemonHarness.Phase(i) is "Running" or "Succeeded", TimeSpan.FromSeconds(20), "the isle to start");

        // While it floods: the API answers (the daemon is not in the log's path), and the log never grows past 3 x 128 KiB.
        var slowest = TimeSpan.Zero;
        while (DaemonHarness.Phase((await _h.GetIsleAsync(name))!) == "Running")
        {
            var sw = Stopwatch.StartNew();
            await _h.ListIslesAsync();
            slowest = sw.Elapsed > slowest ? sw.Elapsed : slowest;
            Assert.InRange(LogBytes(name), 0, 3 * 128 * 1024);
        }
        Assert.Equal("Succeeded", await EndedAsync(name));
        Assert.True(slowest < TimeSpan.FromSeconds(2), $"GET isles took {slowest} during the flood");
        Assert.Equal(3, LogFiles(name).Length);
        Assert.InRange(LogBytes(name), 2 * 128 * 1024 - 4096, 3 * 128 * 1024);
        Assert.EndsWith("y\ny\ndone\n", (await _h.CtlAsync("logs", "--tail", "3", name)).Stdout);

        _h.RemoveManifest("flood.yaml");
        await DaemonLifecycleTests.WaitForAsync(() => !Directory.Exists(Path.GetDirectoryName(_h.LogFile(name))), "the isle's log removed with it");
    }

    [Fact]
    public async Task Journald_WithoutAJournal_IsleErrorsAndLogsSaysSo()
    {
        Assert.SkipWhen(File.Exists("/run/systemd/journal/socket"), "this host has a journal: the isle would start");
        await _h.StartDaemonAsync();
        var name = _h.NewName();
        _h.WriteManifest("journal.yaml", _h.IsleYaml(name, "echo hi", extraSpec: "  logging: {driver: journald}\n"));

        var isle = await _h.WaitIsleAsync(name, i => DaemonHarness.Phase(i) == "Error", TimeSpan.FromSeconds(20), "phase Error");
        Assert.Contains("no journal", (string?)isle["status"]?["message"]);
        var logs = await _h.CtlAsync("logs", name);
        Assert.NotEqual(0, logs.ExitCode);
        Assert.Contains($"isle {name} logs to the journal (logging.driver: journald), but this host has no journal", logs.Stderr);
    }

    [GeneratedRegex(@"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z) (.*)$")]
    private static partial Regex StampedLine();
}
