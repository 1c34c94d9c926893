using Islander.Drivers.Network;
using System.Collections.Concurrent;
using System.CommandLine;
using System.Net.Sockets;
using Islander.Cli.Commands;
using Islander.Controller.Hosting;
using Islander.Controller.Lifecycle;
using Islander.Drivers.Volumes;
using Islander.Model;
using Islander.Testing;
using Islander.Testing.Fakes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Islander.Controller.Tests.Api;

/// <summary>
/// A real islanderd host (Kestrel on a temp unix socket, real time) over the fake runtime, driven by the real
/// islanderctl commands. Restart back-off is 50 ms so restart tests take milliseconds.
/// </summary>
sealed class DaemonFixture : IAsyncDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("islanderd-").FullName;
    public FakeIsleRuntime Runtime { get; }
    public FakeImageStore Images { get; } = new();
    public DaemonOptions Options { get; }
    public WebApplication? App { get; private set; }
    public string Socket => Options.Socket;

    /// <summary>A client of the API on <see cref="Socket"/>, with a connection of its own.</summary>
    public HttpClient Http(TimeSpan? timeout = null) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, ct) =>
        {
            var s = new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await s.ConnectAsync(new UnixDomainSocketEndPoint(Socket), ct);
            return new NetworkStream(s, ownsSocket: true);
        },
    }) { BaseAddress = new Uri("http://islanderd"), Timeout = timeout ?? TimeSpan.FromSeconds(100) };

    /// <summary>The volume drivers (fakes unless a test passes its own), wired in as Program.cs wires the real ones.</summary>
    public VolumeDriverSet Volumes { get; }

    /// <summary>The network driver (a fake).</summary>
    public FakeNetworkDriver Network { get; } = new();

    public DaemonFixture(FakeIsleRuntime? runtime = null, VolumeDriverSet? volumes = null)
    {
        Runtime = runtime ?? new FakeIsleRuntime();
        Volumes = volumes ?? new VolumeDriverSet([new FakeVolumeDriver(VolumeDriverKind.Dir), new FakeVolumeDriver(new VolumeDriverKind("tmpfs"))]);
        Options = new DaemonOptions
        {
            Manifests = Path.Combine(Dir, "manifests"), State = Path.Combine(Dir, "state"), Run = Path.Combine(Dir, "run"),
            Socket = Path.Combine(Dir, "islander.sock"), RestartBackoff = new RestartBackoff { Base = TimeSpan.FromMilliseconds(50) },
        };
        Directory.CreateDirectory(Options.Manifests);
    }

    /// <param name="configure">More for the host's builder (after its log providers were cleared): a test's own logger.</param>
    /// <remarks>
    /// A daemon that cannot start takes its directory with it: called from a test's InitializeAsync, the throw means
    /// xunit never disposes the test, as <c>SshServer</c> removes its own when sshd cannot start.
    /// </remarks>
    public async Task StartAsync(Action<WebApplicationBuilder>? configure = null)
    {
        try
        {
            App = DaemonHost.Build(Options, DaemonParts.Of(Runtime, new NetworkDriverSet([Network]), Volumes, Images), b =>
            {
                b.Logging.ClearProviders();
                b.Logging.AddProvider(_log);
                configure?.Invoke(b);
            });
            await App.StartAsync();
        }
        catch (Exception)
        {
            await DisposeAsync();
            throw;
        }
    }

    public async Task StopAsync()
    {
        if (App is null) return;
        await App.StopAsync();
        await App.DisposeAsync();
        App = null;
    }

    /// <summary>Runs <c>islanderctl ARGS --socket SOCKET</c> in-process: exit code, stdout, stderr.</summary>
    public Task<(int Exit, string Out, string Err)> CtlAsync(params string[] args) => CtlAsync(args, Socket);

    public static async Task<(int Exit, string Out, string Err)> CtlAsync(string[] args, string socket, CancellationToken ct = default)
    {
        var socketOption = ClientCommands.SocketOption();
        var root = new RootCommand("islanderctl") { socketOption };
        foreach (var c in ClientCommands.Create(socketOption)) root.Subcommands.Add(c);
        var output = new StringWriter();
        var error = new StringWriter();
        // --socket first: after a `--` (run's command) it would be an argument.
        int exit = await root.Parse(["--socket", socket, .. args]).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, ct);
        return (exit, output.ToString(), error.ToString());
    }

    public void Write(string file, string yaml) => File.WriteAllText(Path.Combine(Options.Manifests, file), yaml);

    public string WriteTemp(string file, string yaml)
    {
        var path = Path.Combine(Dir, file);
        File.WriteAllText(path, yaml);
        return path;
    }

    /// <summary>
    /// Polls until <paramref name="condition"/> holds; fails after <paramref name="timeout"/>, saying what the daemon
    /// logged meanwhile (why an isle did not run), not only what it waited for.
    /// </summary>
    public async Task WaitAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new Xunit.Sdk.XunitException($"timed out after {timeout.TotalSeconds}s waiting for {what}; islanderd's last log lines:\n{_log}");
            await Task.Delay(10);
        }
    }

    readonly DaemonLog _log = new();

    /// <summary>The daemon's last log lines, Information and up (200 kept), for <see cref="WaitAsync"/>'s failures.</summary>
    sealed class DaemonLog : ILoggerProvider
    {
        const int Kept = 200;
        readonly ConcurrentQueue<string> _lines = new();

        public ILogger CreateLogger(string categoryName) => new Category(this, categoryName);

        public override string ToString() => string.Join("\n", _lines);

        public void Dispose() { }

        sealed class Category(DaemonLog log, string name) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (!IsEnabled(logLevel)) return;
                log._lines.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {name}: {formatter(state, exception)}{(exception is null ? "" : " " + exception)}");
                while (log._lines.Count > Kept) log._lines.TryDequeue(out _);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try { Directory.Delete(Dir, true); } catch (IOException) { }
    }
}
