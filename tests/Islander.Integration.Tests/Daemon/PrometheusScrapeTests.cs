using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary>
/// A real Prometheus (Debian's package) scrapes a real islanderd's <c>--metrics-address</c> on loopback, and the
/// isle's series are read back through Prometheus' query API. Prometheus runs on a loopback port of its own with its
/// storage in the test's directory, and is killed and removed afterwards.
/// </summary>
[Collection(DaemonAloneCollection.Name)]
public sealed class PrometheusScrapeTests : IAsyncDisposable
{
    const string PrometheusBinary = "/usr/bin/prometheus";

    readonly DaemonHarness _h;
    Process? _prometheus;
    readonly StringBuilder _prometheusOutput = new();

    public PrometheusScrapeTests()
    {
        HostCaps.RequireRoot();
        _h = new DaemonHarness();
    }

    public async ValueTask DisposeAsync()
    {
        if (_prometheus is { } p)
        {
            if (!p.HasExited) p.Kill();
            await p.WaitForExitAsync();
            p.Dispose();
        }
        await _h.DisposeAsync();
    }

    static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    void StartPrometheus(string target, int port)
    {
        Assert.True(File.Exists(PrometheusBinary), $"{PrometheusBinary} is missing: run scripts/setup.sh (Debian package prometheus)");
        var dir = Directory.CreateDirectory(Path.Combine(_h.Dir, "prometheus")).FullName;
        var config = Path.Combine(dir, "prometheus.yml");
        File.WriteAllText(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: islanderd
                static_configs:
                  - targets: ["{target}"]
            """);
        var info = new ProcessStartInfo(PrometheusBinary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "--config.file=" + config, "--storage.tsdb.path=" + Path.Combine(dir, "data"),
            "--web.listen-address=127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture) })
            info.ArgumentList.Add(a);
        _prometheus = Process.Start(info)!;
        _prometheus.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_prometheusOutput) _prometheusOutput.AppendLine(e.Data); };
        _prometheus.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_prometheusOutput) _prometheusOutput.AppendLine(e.Data); };
        _prometheus.BeginOutputReadLine();
        _prometheus.BeginErrorReadLine();
    }

    /// <summary>Polls <c>/api/v1/query</c> until the query has a sample; its value.</summary>
    async Task<double> QueryAsync(HttpClient prometheus, string query)
    {
        var sw = Stopwatch.StartNew();
        string last = "";
        while (sw.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (_prometheus!.HasExited)
                lock (_prometheusOutput) throw new Xunit.Sdk.XunitException($"prometheus exited {_prometheus.ExitCode}:\n{_prometheusOutput}");
            try
            {
                last = await prometheus.GetStringAsync("api/v1/query?query=" + Uri.EscapeDataString(query), TestContext.Current.CancellationToken);
                var result = JsonNode.Parse(last)!["data"]?["result"]?.AsArray();
                if (result is [{ } first, ..])
                    return double.Parse((string)first["value"]![1]!, CultureInfo.InvariantCulture);
            }
            catch (HttpRequestException e) { last = e.Message; } // not listening yet
            await Task.Delay(250, TestContext.Current.CancellationToken);
        }
        string output;
        lock (_prometheusOutput) output = _prometheusOutput.ToString();
        throw new Xunit.Sdk.XunitException($"no sample for {query} in 30 s; last answer: {last}\nprometheus:\n{output}");
    }

    /// <summary><c>promtool check metrics</c> (the same package) over an exposition: exit code and what it said.</summary>
    static async Task<(int Exit, string Output)> PromtoolAsync(string exposition)
    {
        var info = new ProcessStartInfo("/usr/bin/promtool", ["check", "metrics"])
        { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(info)!;
        await p.StandardInput.WriteAsync(exposition);
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = p.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await p.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (p.ExitCode, ((await stdout) + (await stderr)).Trim());
    }

    [Fact]
    public async Task Prometheus_ScrapesMetricsAddress_IsleSeriesReadBack()
    {
        var metrics = "127.0.0.1:" + FreePort().ToString(CultureInfo.InvariantCulture);
        await _h.StartDaemonAsync("--metrics-address", metrics);
        var name = _h.NewName("prom");
        _h.WriteManifest("prom.yaml", _h.IsleYaml(name, "while :; do :; done", extraSpec: "  resources: {memory: 64Mi}\n"));
        await _h.WaitRunningAsync(name);
        int port = FreePort();
        StartPrometheus(metrics, port);
        using var prometheus = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };

        var up = await QueryAsync(prometheus, "up{job=\"islanderd\"} == 1");
        var running = await QueryAsync(prometheus, $"islander_isle_status_phase{{isle=\"{name}\",phase=\"Running\"}} == 1");
        var cpu = await QueryAsync(prometheus, $"islander_isle_cpu_seconds_total{{isle=\"{name}\"}} > 0.5");
        var limit = await QueryAsync(prometheus, $"islander_isle_memory_limit_bytes{{isle=\"{name}\"}}");
        var passes = await QueryAsync(prometheus, "sum(islander_reconcile_duration_seconds_count) > 0");

        using var direct = new HttpClient();
        var exposition = await direct.GetStringAsync($"http://{metrics}/metrics", TestContext.Current.CancellationToken);
        var (promtoolExit, promtoolOutput) = await PromtoolAsync(exposition);

        Assert.True(promtoolExit == 0 && promtoolOutput.Length == 0, $"promtool check metrics (exit {promtoolExit}):\n{promtoolOutput}\n{exposition}");
        Assert.Equal(1, up);
        Assert.Equal(1, running);
        Assert.True(cpu > 0.5, $"cpu {cpu}"); // a busy loop for more than a second
        Assert.Equal(64L << 20, limit);
        Assert.True(passes >= 1);
    }
}
