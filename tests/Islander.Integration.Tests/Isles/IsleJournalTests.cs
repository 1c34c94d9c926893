using System.Diagnostics;
using Islander.Drivers.Runtime;
using Islander.Model;
using Islander.Model.Api;
using Islander.Testing;

namespace Islander.Integration.Tests.Isles;

/// <summary>
/// <c>logging.driver: journald</c> against a real systemd-journald: the test runs one of its own in a private mount
/// namespace (tmpfs on /run and /var/log, so the host's journal, if any, is not touched) and points the runtime at its
/// socket and files through /proc/PID/root. The isle's lines go there from the shim; journalctl reads them back.
/// </summary>
[Collection(IsleCollection.Name)]
public sealed class IsleJournalTests : IAsyncDisposable
{
    const string Journald = "/lib/systemd/systemd-journald";
    readonly IsleHarness _h;
    Process? _journald;

    public IsleJournalTests()
    {
        HostCaps.RequireRoot();
        Assert.SkipUnless(File.Exists(Journald) && JournalLog.Available(), "needs systemd-journald and journalctl (Debian's systemd package)");
        _h = new IsleHarness();
    }

    async Task<string> StartJournaldAsync()
    {
        var info = new ProcessStartInfo("unshare") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["-m", "--propagation", "private", "sh", "-c",
                     $"mount -t tmpfs tmpfs /run && mkdir -p /run/systemd/journal && mount -t tmpfs tmpfs /var/log && exec {Journald}"])
            info.ArgumentList.Add(a);
        _journald = Process.Start(info)!;
        string root = $"/proc/{_journald.Id}/root";
        var deadline = Stopwatch.StartNew();
        while (!Path.Exists($"{root}/run/systemd/journal/socket")) // File.Exists is false for a socket
        {
            if (_journald.HasExited)
                Assert.Fail("systemd-journald exited: " + await _journald.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken));
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), "systemd-journald made no socket");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
        return root;
    }

    async Task<List<LogEntryView>> ReadAsync(string name, IsleLogQuery query)
    {
        var entries = new List<LogEntryView>();
        await foreach (var e in JournalLog.ReadAsync(name, query, () => false, _h.Runtime.LogDefaults.JournalDirectory, TestContext.Current.CancellationToken))
            entries.Add(e);
        return entries;
    }

    [Fact]
    public async Task Journald_IsleLines_InTheJournalWithItsName_ReadBack()
    {
        string root = await StartJournaldAsync();
        _h.Runtime.LogDefaults = new IsleLogDefaults(JournalSocket: $"{root}/run/systemd/journal/socket", JournalDirectory: $"{root}/run/log/journal");
        var spec = IsleHarness.Spec("sh", "-c", "echo hello; echo oops >&2; sleep 0.2; printf tail") with { Logging = new IsleLogging { Driver = LogDriver.Journald } };

        var run = await _h.RunAsync(spec);

        Assert.Equal(0, run.Status.Code);
        Assert.False(File.Exists(_h.Paths.LogFile(run.Name)), "no json-file for a journald isle");
        // journald stores what it received a moment later.
        List<LogEntryView> entries = [];
        for (var sw = Stopwatch.StartNew(); entries.Count < 3 && sw.Elapsed < TimeSpan.FromSeconds(10); await Task.Delay(100, TestContext.Current.CancellationToken))
            entries = await ReadAsync(run.Name, new IsleLogQuery());
        Assert.Equal(["hello\n", "tail"], entries.Where(e => e.Stream == "stdout").Select(e => e.Log));
        Assert.Equal(["oops\n"], entries.Where(e => e.Stream == "stderr").Select(e => e.Log));
        Assert.All(entries, e => Assert.True(LogTime.TryParse(e.Time, out var t) && Math.Abs((DateTimeOffset.UtcNow - t).TotalMinutes) < 1, e.Time));
        Assert.Equal(["tail"], (await ReadAsync(run.Name, new IsleLogQuery(Tail: 1))).Select(e => e.Log));
        Assert.Empty(await ReadAsync("another-isle", new IsleLogQuery()));
    }

    public async ValueTask DisposeAsync()
    {
        if (_journald is { HasExited: false })
        {
            _journald.Kill();
            await _journald.WaitForExitAsync(CancellationToken.None);
        }
        _journald?.Dispose();
        await _h.DisposeAsync();
    }
}
