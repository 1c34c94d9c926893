using System.Net.Sockets;
using System.Text;
using Islander.Drivers.Runtime;
using Islander.Model;
using Islander.Model.Api;

namespace Islander.Integration.Tests.Runtime;

/// <summary>
/// The shim's side of isle logs on the real kernel: isle-init's shim reads the isle's stdout and stderr from two pipes
/// and writes Docker's json-file (or journald datagrams); the files are read back by <see cref="JsonFileLog"/>.
/// </summary>
[Collection(RuntimeCollection.Name)]
public sealed class IsleLogTests : IAsyncLifetime
{
    readonly IsleRun _run = new();

    public ValueTask InitializeAsync()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, "needs root: namespaces, mounts, pivot_root");
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => _run.DisposeAsync();

    IReadOnlyList<LogEntryView> Entries() => JsonFileLog.ReadAll(_run.LogPath);

    [Fact]
    public async Task Shim_StdoutAndStderr_ApartAndTimestamped()
    {
        var before = DateTimeOffset.UtcNow;
        await _run.RunAsync(_run.Config("sh", "-c", "echo out; echo err >&2; echo more"));
        var after = DateTimeOffset.UtcNow;

        var entries = Entries();
        Assert.Equal(["out\n", "more\n"], entries.Where(e => e.Stream == "stdout").Select(e => e.Log));
        Assert.Equal(["err\n"], entries.Where(e => e.Stream == "stderr").Select(e => e.Log));
        foreach (var e in entries)
        {
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$", e.Time); // Docker's RFC3339NanoFixed
            Assert.True(LogTime.TryParse(e.Time, out var t) && t >= before.AddSeconds(-1) && t <= after.AddSeconds(1), e.Time);
        }
        // The file itself, byte for byte as Docker writes an entry.
        Assert.Matches("^\\{\"log\":\"out\\\\n\",\"stream\":\"stdout\",\"time\":\"[^\"]+\"\\}$", File.ReadLines(_run.LogPath).First());
    }

    [Fact]
    public async Task Shim_Line_OnDiskWhileTheIsleRuns()
    {
        // One short line, then nothing: the shim must not hold it in its buffer until more comes or the isle ends.
        await _run.StartAsync(_run.Config("sh", "-c", "echo early; exec sleep 100"));

        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (Entries().Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the line did not reach log.json while the isle ran");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
        Assert.Equal("early\n", Assert.Single(Entries()).Log);
        Assert.True(_run.Launcher.IsRunning(_run.Isle!));
    }

    [Fact]
    public async Task Shim_LineWithoutNewline_IsAnEntryWithoutOne()
    {
        await _run.RunAsync(_run.Config("sh", "-c", "echo first; printf 'no newline'"));

        Assert.Equal(["first\n", "no newline"], Entries().Select(e => e.Log));
    }

    [Fact]
    public async Task Shim_LongLine_SplitAt16KiBAsDocker()
    {
        await _run.RunAsync(_run.Config("sh", "-c", "yes a | head -c 80000 | tr -d '\\n'; echo; echo next"));

        var logs = Entries().Select(e => e.Log).ToList();
        Assert.Equal([16384, 16384, 40000 - 2 * 16384 + 1, 5], logs.Select(l => l.Length));
        Assert.False(logs[0].EndsWith('\n')); // parts of one line: no newline but the last
        Assert.Equal(new string('a', 40000) + "\n", string.Concat(logs.Take(3)));
        Assert.Equal("next\n", logs[3]);
    }

    [Fact]
    public async Task Shim_ControlAndInvalidUtf8_EscapedAsJson()
    {
        await _run.RunAsync(_run.Config("sh", "-c", "printf 'tab\\t\"q\" back\\\\slash \\001 \\377 é\\n'"));

        Assert.Equal("tab\t\"q\" back\\slash \u0001 \uFFFD é\n", Assert.Single(Entries()).Log);
        Assert.Contains("\\u0001 \\ufffd é", File.ReadAllText(_run.LogPath, Encoding.UTF8));
    }

    [Fact]
    public async Task Shim_Flood_RotatesAndNeverHoldsMoreThanMaxSizeTimesMaxFiles()
    {
        const long maxSize = 128 * 1024;
        _run.Stdio = IsleStdio.Log(new IsleLogTarget.JsonFile(_run.LogPath, maxSize, 3));
        // 8 MB of "y\n": about 4 million entries, 60 times what three files hold.
        var (status, _) = await _run.RunAsync(_run.Config("sh", "-c", "yes | head -c 8000000; echo last"));

        Assert.Equal(0, status.Code);
        var files = Directory.GetFiles(_run.RunDir, "log.json*").Order().ToList();
        Assert.Equal([_run.LogPath, _run.LogPath + ".1", _run.LogPath + ".2"], files);
        Assert.All(files, f => Assert.InRange(new FileInfo(f).Length, 1, maxSize));
        var entries = Entries();
        Assert.All(entries.SkipLast(1), e => Assert.Equal("y\n", e.Log));
        Assert.Equal("last\n", entries[^1].Log);
        Assert.True(entries.Count > 3000, $"{entries.Count} entries");
    }

    [Fact]
    public async Task Shim_ExistingLog_AppendedAfterARestart()
    {
        await _run.RunAsync(_run.Config("echo", "one"));
        await _run.RunAsync(_run.Config("echo", "two"));

        Assert.Equal(["one\n", "two\n"], Entries().Select(e => e.Log));
    }

    [Fact]
    public async Task Follow_AcrossRotations_ReadsEveryLineInOrder()
    {
        _run.Stdio = IsleStdio.Log(new IsleLogTarget.JsonFile(_run.LogPath, 128 * 1024, 3));
        // 600 lines of about 1 KiB, slowly enough that the follower (polling every 100 ms) sees each file:
        // about 120 lines a file, 2 ms each.
        await _run.StartAsync(_run.Config("sh", "-c",
            "pad=$(yes x | head -c 2000 | tr -d '\\n'); i=0; while [ $i -lt 600 ]; do echo \"$pad $i\"; i=$((i+1)); usleep 2000; done"));
        var shim = _run.Isle!;
        var seen = new List<string>();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(TimeSpan.FromSeconds(60));
        await foreach (var e in JsonFileLog.ReadAsync(_run.LogPath, new IsleLogQuery(Follow: true), () => !IsleRun.IsGone(shim.ShimPid), cts.Token))
            seen.Add(e.Log);

        Assert.Equal(Enumerable.Range(0, 600).Select(i => $"{new string('x', 1000)} {i}\n"), seen);
        Assert.True(File.Exists(_run.LogPath + ".2"), "the log was rotated at least twice while followed");
    }

    [Fact]
    public async Task Journal_EachLine_ADatagramOfTheNativeProtocol()
    {
        // No journal is reachable on the test machine: the test binds the socket journald would, and reads what
        // the shim sends to it.
        string socketPath = Path.Combine(_run.RunDir, "journal.sock");
        using var journal = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        journal.Bind(new UnixDomainSocketEndPoint(socketPath));
        _run.Stdio = IsleStdio.Log(new IsleLogTarget.Journal(socketPath, "web"));

        await _run.RunAsync(_run.Config("sh", "-c", "echo hello; echo oops >&2; printf tail"));

        var messages = new List<Dictionary<string, string>>();
        var buffer = new byte[65536];
        while (journal.Available > 0)
        {
            int n = journal.Receive(buffer);
            var text = Encoding.UTF8.GetString(buffer, 0, n);
            Assert.EndsWith("\n", text);
            messages.Add(text[..^1].Split('\n').Select(f => f.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]));
        }
        // Two pipes: the order between stdout and stderr is the shim's reading order, as in Docker.
        Assert.Equal(3, messages.Count);
        var stdout = messages.Where(m => m["ISLANDER_STREAM"] == "stdout").ToList();
        Assert.Equal(new Dictionary<string, string>
        {
            ["MESSAGE"] = "hello", ["PRIORITY"] = "6", ["SYSLOG_IDENTIFIER"] = "web", ["ISLANDER_ISLE"] = "web", ["ISLANDER_STREAM"] = "stdout",
        }, stdout[0]);
        Assert.Equal(("tail", "true"), (stdout[1]["MESSAGE"], stdout[1]["ISLANDER_PARTIAL_MESSAGE"]));
        var stderr = Assert.Single(messages, m => m["ISLANDER_STREAM"] == "stderr");
        Assert.Equal(("oops", "3"), (stderr["MESSAGE"], stderr["PRIORITY"]));
        Assert.False(File.Exists(_run.LogPath));
    }
}
