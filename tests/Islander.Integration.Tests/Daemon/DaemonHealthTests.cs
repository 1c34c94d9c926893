using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary>
/// Health checks against a real islanderd and real isles: an exec check run in the isle (its file system), the
/// restart of an unhealthy isle, tcp and http checks from the isle's own network namespace (busybox nc and httpd on
/// the isle's loopback, which the host cannot reach), and dependsOn with condition Healthy.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class DaemonHealthTests : IAsyncDisposable
{
    static readonly TimeSpan Long = TimeSpan.FromSeconds(30);
    readonly DaemonHarness _h;

    public DaemonHealthTests()
    {
        HostCaps.RequireRoot();
        _h = new DaemonHarness();
    }

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    static string? Health(JsonObject isle) => (string?)isle["status"]?["health"]?["status"];

    static JsonArray Log(JsonObject isle) => isle["status"]!["health"]!["log"]!.AsArray();

    Task<JsonObject> WaitHealthAsync(string name, string status, Func<JsonObject, bool>? also = null) =>
        _h.WaitIsleAsync(name, i => DaemonHarness.Phase(i) == "Running" && Health(i) == status && (also?.Invoke(i) ?? true), Long, $"Running and {status}");

    async Task<DaemonHarness.CtlResult> ExecAsync(string name, params string[] command)
    {
        var r = await _h.CtlAsync(["exec", name, "--", .. command]);
        Assert.True(r.ExitCode == 0, r.ToString());
        return r;
    }

    [Fact]
    public async Task Exec_FileCreatedThenRemoved_HealthyThenRestartedWithEventUnhealthy()
    {
        await _h.StartDaemonAsync();
        var name = _h.NewName("health");
        _h.WriteManifest("web.yaml", _h.IsleYaml(name, "exec sleep 100000",
            extraSpec: "  healthcheck: {exec: [test, -e, /ready], interval: 1s, retries: 2, startPeriod: 1h}\n"));
        var starting = await WaitHealthAsync(name, "starting", i => Log(i).Count > 0);
        var pid = DaemonHarness.Pid(starting)!.Value;
        Assert.Equal(1, (int)Log(starting)[^1]!["exitCode"]!);

        await ExecAsync(name, "touch", "/ready");
        var healthy = await WaitHealthAsync(name, "healthy");
        Assert.Equal(pid, DaemonHarness.Pid(healthy));
        var get = await _h.CtlAsync("get", "isles", name);
        Assert.Contains("Running (healthy)", get.Stdout);
        var yaml = await _h.CtlAsync("get", "isle", name, "-o", "yaml");
        Assert.Contains("status: healthy", yaml.Stdout);
        var describe = await _h.CtlAsync("describe", "isle", name);
        Assert.Matches(@"\n  Health: +healthy\n", describe.Stdout);
        Assert.Matches(@"\n    \d\d:\d\d:\d\d  exit 0 ", describe.Stdout); // the last results, one a line

        await ExecAsync(name, "rm", "/ready");
        var restarted = await _h.WaitIsleAsync(name, i => DaemonHarness.Phase(i) == "Running" && DaemonHarness.Pid(i) is { } p && p != pid,
            Long, "restarted with a new pid");

        Assert.Equal(1, DaemonHarness.RestartCount(restarted));
        Assert.False(DaemonHarness.ProcessExists(pid), $"old pid {pid} still runs");
        var unhealthy = Assert.Single(await _h.EventsAsync(), e => (string?)e["name"] == name && (string?)e["reason"] == "Unhealthy");
        Assert.Equal("exec [test, -e, /ready] failed 2 times in a row: exit code 1; restarting it (restartPolicy Always)", (string?)unhealthy["message"]);
        Assert.Contains(await _h.EventsAsync(), e => (string?)e["name"] == name && (string?)e["reason"] == "Healthy");
        Assert.NotEqual("healthy", Health(restarted)); // a new run starts again (its /ready is gone with the old writable layer)
    }

    [Fact]
    public async Task Tcp_NcListeningOnTheIslesLoopback_HealthyThoughTheHostHasNoListener()
    {
        const int port = 18093;
        // The check connects inside the isle: the same port on the host's loopback has nothing listening.
        await Assert.ThrowsAsync<SocketException>(async () =>
        {
            using var host = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await host.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), TestContext.Current.CancellationToken);
        });
        await _h.StartDaemonAsync();
        var name = _h.NewName("health");
        _h.WriteManifest("db.yaml", _h.IsleYaml(name, $"while true; do nc -l -p {port} </dev/null; done", restartPolicy: "Never",
            extraSpec: $"  healthcheck: {{tcp: {{port: {port}}}, interval: 1s, retries: 3}}\n"));

        var healthy = await WaitHealthAsync(name, "healthy");

        Assert.Equal($"connected to 127.0.0.1:{port}", (string?)Log(healthy)[^1]!["output"]);
    }

    [Fact]
    public async Task Tcp_NothingListening_UnhealthyConnectionRefusedLeftRunningUnderNever()
    {
        await _h.StartDaemonAsync();
        var name = _h.NewName("health");
        _h.WriteManifest("db.yaml", _h.IsleYaml(name, "exec sleep 100000", restartPolicy: "Never",
            extraSpec: "  healthcheck: {tcp: {port: 18094}, interval: 1s, retries: 2}\n"));
        var running = await _h.WaitRunningAsync(name, seconds: 30);

        var unhealthy = await WaitHealthAsync(name, "unhealthy");

        Assert.Equal(DaemonHarness.Pid(running), DaemonHarness.Pid(unhealthy));
        Assert.Contains("refused", (string?)Log(unhealthy)[^1]!["output"], StringComparison.OrdinalIgnoreCase);
        Assert.Contains(await _h.EventsAsync(), e => (string?)e["name"] == name && (string?)e["reason"] == "Unhealthy"
            && ((string?)e["message"])!.EndsWith("left running (restartPolicy Never)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Http_BusyboxHttpdInTheIsle_200HealthyThen404Unhealthy()
    {
        await _h.StartDaemonAsync();
        var name = _h.NewName("health");
        _h.WriteManifest("web.yaml", _h.IsleYaml(name, "mkdir -p /www && echo ok > /www/healthz && exec httpd -f -p 8080 -h /www", restartPolicy: "Never",
            extraSpec: "  healthcheck: {http: {port: 8080, path: /healthz}, interval: 1s, retries: 2}\n"));

        var healthy = await WaitHealthAsync(name, "healthy");
        Assert.Equal(200, (int)Log(healthy)[^1]!["httpStatus"]!);

        await ExecAsync(name, "rm", "/www/healthz");
        var unhealthy = await WaitHealthAsync(name, "unhealthy");

        Assert.Equal(404, (int)Log(unhealthy)[^1]!["httpStatus"]!);
        Assert.Equal(DaemonHarness.Pid(healthy), DaemonHarness.Pid(unhealthy));
    }

    [Fact]
    public async Task DependsOnHealthy_DependentStartsOnlyAfterItsDependencyTurnsHealthy()
    {
        await _h.StartDaemonAsync();
        var db = _h.NewName("db");
        var web = _h.NewName("web");
        _h.WriteManifest("db.yaml", _h.IsleYaml(db, "exec sleep 100000",
            extraSpec: "  healthcheck: {exec: [test, -e, /ready], interval: 1s, startPeriod: 1h}\n"));
        _h.WriteManifest("web.yaml", _h.IsleYaml(web, "exec sleep 100000", extraSpec: $"  dependsOn: [{{name: {db}, condition: Healthy}}]\n"));
        await WaitHealthAsync(db, "starting", i => Log(i).Count >= 2);

        var waiting = await _h.WaitIsleAsync(web, i => (string?)i["status"]?["reason"] == "WaitingForDependencies", Long, "waiting");
        Assert.Equal($"waiting for {db} to be healthy", (string?)waiting["status"]?["message"]);
        Assert.Null(DaemonHarness.Pid(waiting));

        await ExecAsync(db, "touch", "/ready");
        var started = await _h.WaitRunningAsync(web, seconds: 30);

        var healthyAt = Assert.Single(await _h.EventsAsync(), e => (string?)e["name"] == db && (string?)e["reason"] == "Healthy")["time"]!.GetValue<DateTimeOffset>();
        Assert.True(started["status"]!["startedAt"]!.GetValue<DateTimeOffset>() >= healthyAt, $"web started before {db} was healthy at {healthyAt:O}");
    }
}
