using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Islander.Controller.Tests.Api;
using Islander.Testing.Fakes;

namespace Islander.Controller.Tests.Metrics;

/// <summary>
/// <c>GET /metrics</c>, <c>/healthz</c> and <c>/readyz</c> on a real islanderd host over the fake runtime, on its socket
/// and on a loopback TCP address; the exposition is also checked by Prometheus' own <c>promtool check metrics</c>.
/// </summary>
public sealed class MetricsEndpointsTests : IAsyncLifetime
{
    readonly DaemonFixture _d = new();

    public async ValueTask InitializeAsync()
    {
        _d.Options.MetricsAddress = "127.0.0.1:" + FreePort().ToString(CultureInfo.InvariantCulture);
        await _d.StartAsync();
    }

    public async ValueTask DisposeAsync() => await _d.DisposeAsync();

    static readonly FakeIsleUsage Busy = new(CpuCores: 0.5, MemoryBytes: 30 << 20, Pids: 2, BlockReadBytes: 1536, BlockWriteBytes: 4 << 20,
        NetworkRxBytes: 2048, NetworkTxBytes: 100);

    static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    HttpClient Socket() => _d.Http();

    HttpClient Tcp() => new() { BaseAddress = new Uri("http://" + _d.Options.MetricsAddress + "/") };

    async Task RunWebAsync()
    {
        var (exit, _, error) = await _d.CtlAsync("apply", "-f", _d.WriteTemp("web.yaml", ControllerHarness.IsleYaml("web", extra: "  resources: {memory: 64Mi}")));
        Assert.True(exit == 0, error);
        await _d.WaitAsync(() => _d.Runtime.IsRunning("web"), TimeSpan.FromSeconds(5), "web running");
        _d.Runtime.SetUsage("web", Busy);
    }

    static async Task<string> ScrapeAsync(HttpClient client)
    {
        using var response = await client.GetAsync("metrics", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        return await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
    }

    static double Value(string exposition, string series)
    {
        var line = exposition.Split('\n').SingleOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException($"no series {series} in:\n{exposition}");
        return double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Metrics_RunningIsle_UsagePhaseAndLoop()
    {
        await RunWebAsync();
        await _d.WaitAsync(() => _d.Runtime.IsRunning("web"), TimeSpan.FromSeconds(5), "web running");
        using var client = Socket();
        string text = "";
        await _d.WaitAsync(() =>
        {
            text = ScrapeAsync(client).GetAwaiter().GetResult();
            return text.Contains("islander_isle_status_phase{isle=\"web\",phase=\"Running\"} 1\n", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(5), "web Running in /metrics");

        Assert.InRange(Value(text, "islander_isle_cpu_seconds_total{isle=\"web\"}"), 1e-9, 60);
        Assert.Equal(30 << 20, Value(text, "islander_isle_memory_working_set_bytes{isle=\"web\"}"));
        Assert.Equal(64 << 20, Value(text, "islander_isle_memory_limit_bytes{isle=\"web\"}"));
        Assert.Equal(2048, Value(text, "islander_isle_network_receive_bytes_total{isle=\"web\"}"));
        Assert.Equal(100, Value(text, "islander_isle_network_transmit_bytes_total{isle=\"web\"}"));
        Assert.Equal(1536, Value(text, "islander_isle_block_read_bytes_total{isle=\"web\"}"));
        Assert.Equal(4 << 20, Value(text, "islander_isle_block_write_bytes_total{isle=\"web\"}"));
        Assert.Equal(0, Value(text, "islander_isle_restarts_total{isle=\"web\"}"));
        Assert.Equal(0, Value(text, "islander_isle_status_phase{isle=\"web\",phase=\"Pending\"}"));
        Assert.Equal(1, text.Split('\n').Count(l => l.StartsWith("islander_isle_status_phase{isle=\"web\"", StringComparison.Ordinal) && l.EndsWith(" 1", StringComparison.Ordinal)));
        Assert.True(Value(text, "islander_reconcile_duration_seconds_count{kind=\"Isle\"}") >= 1);
        Assert.Equal(Value(text, "islander_reconcile_duration_seconds_count{kind=\"Isle\"}"),
            Value(text, "islander_reconcile_duration_seconds_bucket{kind=\"Isle\",le=\"+Inf\"}"));
        Assert.Equal(0, Value(text, "islander_reconcile_errors_total{kind=\"Isle\"}"));
        Assert.True(Value(text, "islander_reconcile_queue_depth") >= 0);
        Assert.InRange(Value(text, "process_resident_memory_bytes"), 1 << 20, 4L << 30);
    }

    [Fact]
    public async Task Metrics_IsleKilled_RestartCounted()
    {
        await RunWebAsync();
        _d.Runtime.Kill("web", 9);
        await _d.WaitAsync(() => _d.Runtime.Incarnations("web") == 2 && _d.Runtime.IsRunning("web"), TimeSpan.FromSeconds(5), "web restarted");
        using var client = Socket();

        await _d.WaitAsync(() => Value(ScrapeAsync(client).GetAwaiter().GetResult(), "islander_isle_restarts_total{isle=\"web\"}") == 1,
            TimeSpan.FromSeconds(5), "islander_isle_restarts_total 1");
    }

    [Fact]
    public async Task Metrics_Promtool_NoProblems()
    {
        Assert.SkipUnless(File.Exists("/usr/bin/promtool"), "needs promtool (Debian package prometheus; scripts/setup.sh installs it)");
        await RunWebAsync();
        using var client = Socket();
        var text = await ScrapeAsync(client);

        var promtool = new ProcessStartInfo("/usr/bin/promtool", ["check", "metrics"])
        { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(promtool)!;
        await p.StandardInput.WriteAsync(text);
        p.StandardInput.Close();
        var output = await p.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken) + await p.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await p.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.True(p.ExitCode == 0 && output.Trim().Length == 0, $"promtool check metrics (exit {p.ExitCode}):\n{output}");
    }

    [Fact]
    public async Task Tcp_MetricsAndHealth_ApiRefused()
    {
        await RunWebAsync();
        using var client = Tcp();
        var ct = TestContext.Current.CancellationToken;

        var text = await ScrapeAsync(client);
        using var health = await client.GetAsync("healthz", ct);
        using var ready = await client.GetAsync("readyz", ct);
        using var api = await client.GetAsync("apis/islander.io/v1/isles", ct);

        Assert.Contains("islander_isle_cpu_seconds_total{isle=\"web\"}", text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.StartsWith("ok", await health.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, api.StatusCode); // the API never answers over TCP
    }

    [Fact]
    public async Task Socket_HealthAndReady_Ok()
    {
        using var client = Socket();
        var ct = TestContext.Current.CancellationToken;
        await _d.WaitAsync(() => client.GetAsync("readyz", ct).GetAwaiter().GetResult().StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(5), "readyz 200");

        using var health = await client.GetAsync("healthz", ct);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("text/plain; charset=utf-8", health.Content.Headers.ContentType?.ToString());
    }
}
