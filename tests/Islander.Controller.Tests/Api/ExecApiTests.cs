using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Islander.Cli.Api;
using Islander.Controller.Tests;

namespace Islander.Controller.Tests.Api;

/// <summary><c>POST isles/{name}/exec</c> and <c>islanderctl exec</c> over the fake runtime's exec model.</summary>
public sealed class ExecApiTests : IAsyncLifetime
{
    readonly DaemonFixture _d = new();

    public async ValueTask InitializeAsync()
    {
        await _d.StartAsync();
        _d.Runtime.Install("sh", async (io, ct) =>
        {
            await io.OutAsync($"out {string.Join(' ', io.Request.Command.Skip(1))}\n");
            await io.ErrAsync("err\n");
            return 4;
        });
        _d.Runtime.Install("sleep", async (io, ct) =>
        {
            await io.OutAsync("sleeping\n");
            await Task.Delay(Timeout.Infinite, ct);
            return 0;
        });
    }

    public async ValueTask DisposeAsync() => await _d.DisposeAsync();

    async Task RunningAsync(string name = "web", string restart = "Always")
    {
        Assert.Equal(0, (await _d.CtlAsync("apply", "-f", _d.WriteTemp($"{name}.yaml", ControllerHarness.IsleYaml(name, "sleep", restart)))).Exit);
        await WaitForPhaseAsync(name, "Running");
    }

    async Task WaitForPhaseAsync(string name, string phase)
    {
        using var client = new IslanderClient(_d.Socket);
        await _d.WaitAsync(() =>
        {
            try { return client.GetAsync("isles", name, default).GetAwaiter().GetResult().Status.Phase == phase; }
            catch (ClientException) { return false; }
        }, TimeSpan.FromSeconds(5), $"isle {name} to be {phase}");
    }

    HttpClient Http() => _d.Http();

    [Fact]
    public async Task Exec_Command_StdoutStderrApartAndItsExitCode()
    {
        await RunningAsync();

        var (exit, output, error) = await _d.CtlAsync("exec", "web", "--", "sh", "-c", "x");

        Assert.Equal(4, exit);
        Assert.Equal("out -c x\n", output);
        Assert.Equal("err\n", error);
    }

    [Fact]
    public async Task Exec_Api_StreamsNdjsonFramesThenTheExit()
    {
        await RunningAsync();
        using var http = Http();

        using var r = await http.PostAsync("/apis/islander.io/v1/isles/web/exec",
            new StringContent("""{"command":["sh","a"],"env":["A=1"],"user":"nobody","workingDir":"/tmp"}""", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        Assert.Equal("application/x-ndjson", r.Content.Headers.ContentType?.MediaType);
        var frames = (await r.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal("stdout", (string?)frames[0]["stream"]);
        Assert.Equal("out a\n", Encoding.UTF8.GetString(Convert.FromBase64String((string)frames[0]["data"]!)));
        Assert.Equal("stderr", (string?)frames[1]["stream"]);
        Assert.Equal(4, (int?)frames[2]["exitCode"]);
        Assert.Equal(0, (int?)frames[2]["signal"]);
    }

    [Fact]
    public async Task Exec_MissingIsle_NotFoundExit1()
    {
        var (exit, output, error) = await _d.CtlAsync("exec", "nope", "--", "sh");

        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Equal("error: isle \"nope\" not found\n", error);
    }

    [Fact]
    public async Task Exec_IsleNotRunning_ConflictNamingThePhase()
    {
        await RunningAsync("job", "Never");
        _d.Runtime.Exit("job", 1);
        await WaitForPhaseAsync("job", "Failed");

        var (exit, _, error) = await _d.CtlAsync("exec", "job", "--", "sh");

        Assert.Equal(1, exit);
        Assert.Equal("error: isle job is not running (phase Failed); exec needs a running isle\n", error);
    }

    [Fact]
    public async Task Exec_MissingCommand_127()
    {
        await RunningAsync();

        var (exit, _, error) = await _d.CtlAsync("exec", "web", "--", "/bin/nope");

        Assert.Equal(127, exit);
        Assert.StartsWith("error: exec: execve /bin/nope: ENOENT", error);
    }

    [Fact]
    public async Task Exec_TtyInTheBodyWithoutUpgrade_400SaysToUpgradeNothingRuns()
    {
        await RunningAsync();
        using var http = Http();

        using var r = await http.PostAsync("/apis/islander.io/v1/isles/web/exec",
            new StringContent("""{"command":["sleep"],"tty":true}""", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        Assert.Equal(400, (int)r.StatusCode);
        Assert.Contains("Upgrade: tcp", await r.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(0, _d.Runtime.RunningExecs("web"));
    }

    [Fact]
    public async Task ExecUpgraded_StdinResizeAndExit_ReachTheProcessAndBack()
    {
        await RunningAsync();
        _d.Runtime.Install("cat", async (io, ct) =>
        {
            var size = await io.Input.NextSizeAsync(ct);
            await io.OutAsync($"size {size.Rows} {size.Cols}\n");
            while (await io.Input.ReadAsync(ct) is { } chunk)
                await io.OutAsync(Encoding.UTF8.GetString(chunk));
            await io.ErrAsync("eof\n");
            return 3;
        });
        var ct = TestContext.Current.CancellationToken;

        await using var connection = await Islander.Cli.Terminal.UpgradedConnection.OpenAsync(_d.Socket,
            "apis/islander.io/v1/isles/web/exec?command=cat&stdin=true&tty=true", ct);
        using var writer = new Islander.Model.Api.StreamFrameWriter(connection);
        await writer.WriteAsync(Islander.Model.Api.StreamKind.Resize, Encoding.UTF8.GetBytes("""{"rows":30,"cols":100}"""), ct);
        await writer.WriteAsync(Islander.Model.Api.StreamKind.Stdin, Encoding.UTF8.GetBytes("hi\n"), ct);
        await writer.WriteAsync(Islander.Model.Api.StreamKind.StdinClosed, ReadOnlyMemory<byte>.Empty, ct);
        var reader = new Islander.Model.Api.StreamFrameReader(connection);
        var frames = new List<Islander.Model.Api.StreamFrame>();
        while (await reader.ReadAsync(ct) is { } frame)
        {
            frames.Add(frame);
            if (frame.Kind == Islander.Model.Api.StreamKind.Exit) break;
        }

        Assert.Equal("size 30 100\nhi\n", string.Concat(frames.Where(f => f.Kind == Islander.Model.Api.StreamKind.Stdout).Select(f => Encoding.UTF8.GetString(f.Data.Span))));
        Assert.Equal("eof\n", string.Concat(frames.Where(f => f.Kind == Islander.Model.Api.StreamKind.Stderr).Select(f => Encoding.UTF8.GetString(f.Data.Span))));
        Assert.Equal(3, (int)JsonNode.Parse(frames[^1].Data.Span)!["exitCode"]!);
    }

    // A client that reads nothing: the output is queued to a bound, then the process waits; the daemon goes on answering.
    [Fact]
    public async Task ExecUpgraded_ClientReadsNothing_ProcessWaitsAtABoundDaemonAnswers()
    {
        await RunningAsync();
        long written = 0;
        var chunk = new string('x', 16 * 1024);
        _d.Runtime.Install("yes", async (io, ct) =>
        {
            while (true)
            {
                await io.OutAsync(chunk);
                Interlocked.Add(ref written, chunk.Length);
            }
        });
        var ct = TestContext.Current.CancellationToken;

        await using var connection = await Islander.Cli.Terminal.UpgradedConnection.OpenAsync(_d.Socket,
            "apis/islander.io/v1/isles/web/exec?command=yes&tty=true", ct);
        // Wait until the writes stop: for a second nothing more was taken from the process.
        long before;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        do
        {
            before = Interlocked.Read(ref written);
            await Task.Delay(1000, ct);
            Assert.True(DateTime.UtcNow < deadline, $"the process was never held back ({Interlocked.Read(ref written)} bytes taken)");
        }
        while (Interlocked.Read(ref written) != before);

        // The queue (64 chunks) plus what the sockets and Kestrel buffer: a few MiB at most, never the flood.
        Assert.InRange(before, 1, 16L << 20);
        using var client = new IslanderClient(_d.Socket);
        Assert.Equal("Running", (await client.GetAsync("isles", "web", ct)).Status.Phase);
        Assert.Equal(1, _d.Runtime.RunningExecs("web"));
    }

    [Fact]
    public async Task ExecUpgraded_MissingCommand_ErrorStatusBeforeAnyUpgrade()
    {
        await RunningAsync();

        var e = await Assert.ThrowsAsync<ClientException>(() => Islander.Cli.Terminal.UpgradedConnection.OpenAsync(_d.Socket,
            "apis/islander.io/v1/isles/web/exec?command=/bin/nope&stdin=true", TestContext.Current.CancellationToken));

        Assert.Equal("CommandNotFound", e.Reason);
        Assert.Contains("execve /bin/nope", e.Message);
    }

    [Fact]
    public async Task Exec_ClientGoesAway_ProcessIsKilled()
    {
        await RunningAsync();
        using var http = Http();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/apis/islander.io/v1/isles/web/exec")
        {
            Content = new StringContent("""{"command":["sleep"]}""", Encoding.UTF8, "application/json"),
        };
        var r = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        var reader = new StreamReader(await r.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken));
        Assert.Contains("stdout", await reader.ReadLineAsync(TestContext.Current.CancellationToken));
        Assert.Equal(1, _d.Runtime.RunningExecs("web"));

        r.Dispose(); // Ctrl-C: the connection closes

        await _d.WaitAsync(() => _d.Runtime.RunningExecs("web") == 0, TimeSpan.FromSeconds(5), "the exec'd process to be killed");
    }

    [Fact]
    public async Task Exec_IsleDeleted_ProcessDiesWith137()
    {
        await RunningAsync();
        var run = _d.CtlAsync("exec", "web", "--", "sleep");
        await _d.WaitAsync(() => _d.Runtime.RunningExecs("web") == 1, TimeSpan.FromSeconds(5), "the exec to run");

        Assert.Equal(0, (await _d.CtlAsync("delete", "isle", "web")).Exit);

        var (exit, output, _) = await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(137, exit);
        Assert.Equal("sleeping\n", output);
    }

    [Fact]
    public async Task Exec_BadBody_422WithoutCommand()
    {
        await RunningAsync();
        using var http = Http();

        using var r = await http.PostAsync("/apis/islander.io/v1/isles/web/exec", new StringContent("""{"command":[]}""", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        Assert.Equal(422, (int)r.StatusCode);
        Assert.Contains("exec needs a command", await r.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }
}
