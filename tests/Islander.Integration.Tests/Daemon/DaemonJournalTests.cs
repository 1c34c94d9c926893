using System.Diagnostics;
using System.Globalization;
using System.Net.Http;
using Islander.Controller.State;
using Islander.Testing;
using LiteDB;

namespace Islander.Integration.Tests.Daemon;

/// <summary>
/// islanderd's output as systemd's journal receives it: the test gives islanderd a file as stdout and stderr and sets
/// <c>$JOURNAL_STREAM</c> to that file's device and inode, as systemd does with the journal's stream socket; the lines
/// then carry sd-daemon(3) priorities. With the variable naming another stream (inherited, output redirected) or
/// unset, the plain timestamped lines. And the state database's schema at start: an older one migrated before the
/// socket listens, a newer one refused.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class DaemonJournalTests : IAsyncDisposable
{
    readonly DaemonHarness _h;
    readonly string _out;

    public DaemonJournalTests()
    {
        HostCaps.RequireRoot();
        _h = new DaemonHarness();
        _out = Path.Combine(_h.Dir, "islanderd.out");
        File.WriteAllText(_out, "");
        // A manifest with a mistake: islanderd logs it as a warning.
        _h.WriteManifest("bad.yaml", "apiVersion: islander.io/v1\nkind: Isle\nmetadata: {name: bad}\nspec: {rootfs: relative/path}\n");
    }

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    static string Identity(string path) => Run("stat", "-c", "%d:%i", path).Trim();

    static string Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
        return output;
    }

    /// <summary>islanderd with stdout and stderr appended to <see cref="_out"/> (sh redirects, then execs it: same pid).</summary>
    Process Start(string? journalStream)
    {
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var a in (string[])["-c", "exec \"$0\" \"$@\" >>\"$OUT\" 2>&1", DaemonHarness.Islanderd, "--config", "/dev/null",
                     "--manifests", _h.ManifestsDir, "--state", _h.StateDir, "--run", _h.RunDir, "--socket", _h.Socket])
            info.ArgumentList.Add(a);
        info.Environment["OUT"] = _out;
        info.Environment.Remove("NOTIFY_SOCKET");
        if (journalStream is null) info.Environment.Remove("JOURNAL_STREAM");
        else info.Environment["JOURNAL_STREAM"] = journalStream;
        return Process.Start(info)!;
    }

    /// <summary>Starts islanderd, waits for the warning about bad.yaml, stops it with SIGTERM; its output.</summary>
    async Task<string> RunUntilWarningAsync(string? journalStream)
    {
        using var p = Start(journalStream);
        try
        {
            var sw = Stopwatch.StartNew();
            while (!File.ReadAllText(_out).Contains("bad.yaml", StringComparison.Ordinal))
            {
                Assert.False(p.HasExited, $"islanderd exited {(p.HasExited ? p.ExitCode : 0)}:\n{File.ReadAllText(_out)}");
                Assert.True(sw.Elapsed < TimeSpan.FromSeconds(20), $"no warning about bad.yaml within 20 s:\n{File.ReadAllText(_out)}");
                await Task.Delay(50, TestContext.Current.CancellationToken);
            }
            using (var r = await _h.Http.GetAsync("/healthz", TestContext.Current.CancellationToken))
                Assert.True(r.IsSuccessStatusCode);
        }
        finally
        {
            if (!p.HasExited) _ = Tmds.Linux.LibC.kill(p.Id, Tmds.Linux.LibC.SIGTERM);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await p.WaitForExitAsync(timeout.Token);
        }
        Assert.Equal(0, p.ExitCode);
        return File.ReadAllText(_out);
    }

    [Fact]
    public async Task StdoutIsTheJournalStream_EveryLineHasItsPriority()
    {
        var output = await RunUntilWarningAsync(Identity(_out));

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, l => Assert.Matches(@"^<[2-7]>", l));
        Assert.Contains($"<6>islanderd listening on {_h.Socket}", output, StringComparison.Ordinal);
        Assert.Contains($"<4>Invalid manifest {Path.Combine(_h.ManifestsDir, "bad.yaml")}:4:", output, StringComparison.Ordinal);
        Assert.DoesNotContain(" INF ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JournalStreamNamesAnotherStream_PlainLines()
    {
        // Inherited from a parent whose output was the journal, while this process's goes to a file.
        var elsewhere = Path.Combine(_h.Dir, "elsewhere");
        File.WriteAllText(elsewhere, "");

        var output = await RunUntilWarningAsync(Identity(elsewhere));

        Assert.Matches(@"(?m)^\d\d:\d\d:\d\d\.\d{3} INF islanderd listening on ", output);
        Assert.Matches(@"(?m)^\d\d:\d\d:\d\d\.\d{3} WRN Invalid manifest ", output);
        Assert.DoesNotMatch(@"(?m)^<\d>", output);
    }

    [Fact]
    public async Task NoJournalStream_PlainLines()
    {
        var output = await RunUntilWarningAsync(null);

        Assert.Matches(@"(?m)^\d\d:\d\d:\d\d\.\d{3} INF islanderd listening on ", output);
        Assert.DoesNotMatch(@"(?m)^<\d>", output);
    }

    [Fact]
    public async Task NewerStateDatabase_Exit2WithFileAndVersions_NothingChangedOrListening()
    {
        Directory.CreateDirectory(_h.StateDir);
        var db = StateStore.FileIn(_h.StateDir);
        using (var raw = new LiteDatabase(new ConnectionString { Filename = db, Connection = ConnectionType.Direct }))
            raw.GetCollection("schema").Insert(new BsonDocument { ["_id"] = "version", ["version"] = 99 });
        var before = File.ReadAllBytes(db);

        using var p = Start(Identity(_out));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await p.WaitForExitAsync(timeout.Token);
        var output = File.ReadAllText(_out);

        Assert.True(p.ExitCode == 2, $"exit {p.ExitCode}:\n{output}");
        Assert.Contains($"<2>islanderd cannot start: state database {db} has schema version 99, and this islanderd", output, StringComparison.Ordinal);
        Assert.Contains($"knows versions up to {StateSchema.Current}", output, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(db));
        Assert.Equal(["islander.db"], Directory.GetFiles(_h.StateDir).Select(Path.GetFileName));
        Assert.False(File.Exists(_h.Socket), "the socket was made");
        Assert.False(Directory.Exists(_h.RunDir), "the run directory was made");
    }

    [Fact]
    public async Task Version1StateDatabase_MigratedBeforeTheSocketListens_CopyKept_HistoryKept()
    {
        // A database as islander wrote it before versions were stored, holding one event (history the API shows; no
        // record the reconcilers would act on, so the daemon touches no network or cgroup of the machine).
        Directory.CreateDirectory(_h.StateDir);
        var db = StateStore.FileIn(_h.StateDir);
        using (var raw = new LiteDatabase(new ConnectionString { Filename = db, Connection = ConnectionType.Direct }))
            raw.GetCollection("events").Insert(new BsonDocument
            {
                ["_id"] = 7L, ["Time"] = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks, ["Type"] = "Normal",
                ["Kind"] = "Isle", ["Name"] = "old", ["Reason"] = "Started", ["Message"] = "written by version 1",
            });

        using var p = Start(null);
        try
        {
            var sw = Stopwatch.StartNew();
            while (true)
            {
                Assert.False(p.HasExited, $"islanderd exited:\n{File.ReadAllText(_out)}");
                Assert.True(sw.Elapsed < TimeSpan.FromSeconds(20), $"islanderd did not answer within 20 s:\n{File.ReadAllText(_out)}");
                try
                {
                    var events = await _h.EventsAsync();
                    Assert.Contains(events, e => (string?)e["message"] == "written by version 1");
                    break;
                }
                catch (HttpRequestException) { await Task.Delay(50, TestContext.Current.CancellationToken); }
            }
        }
        finally
        {
            if (!p.HasExited) _ = Tmds.Linux.LibC.kill(p.Id, Tmds.Linux.LibC.SIGTERM);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await p.WaitForExitAsync(timeout.Token);
        }
        var output = File.ReadAllText(_out);

        Assert.Contains($"WRN State database {db} is at schema version 1; migrating to {StateSchema.Current}", output, StringComparison.Ordinal);
        Assert.True(output.IndexOf("migrating to", StringComparison.Ordinal) < output.IndexOf("islanderd listening on", StringComparison.Ordinal), output);
        using (var raw = new LiteDatabase(new ConnectionString { Filename = db, Connection = ConnectionType.Direct, ReadOnly = true }))
            Assert.Equal(StateSchema.Current, StateSchema.VersionOf(raw));
        var copy = Assert.Single(Directory.GetFiles(_h.StateDir, "islander-v1-*.db"));
        using (var raw = new LiteDatabase(new ConnectionString { Filename = copy, Connection = ConnectionType.Direct, ReadOnly = true }))
        {
            Assert.False(raw.CollectionExists("schema"));
            Assert.Equal("written by version 1", raw.GetCollection("events").FindById(7L)["Message"].AsString);
        }
    }
}
