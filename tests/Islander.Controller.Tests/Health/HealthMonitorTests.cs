using System.Net;
using System.Net.Sockets;
using System.Text;
using Islander.Controller.Health;
using Islander.Controller.State;
using Islander.Model;
using Islander.Model.Api;
using Islander.Testing.Fakes;

namespace Islander.Controller.Tests.Health;

/// <summary>
/// Health checks over the fake runtime and fake time: exec checks through the exec port, tcp and http checks through
/// sockets (on the host's loopback, where the fake's isles live), the restart of an unhealthy isle by its policy,
/// a healthcheck edit applied without a restart, and dependsOn with condition Healthy.
/// </summary>
public sealed class HealthMonitorTests : IDisposable
{
    readonly ControllerHarness _h = new();
    volatile bool _ready = true;
    volatile int _checks;

    public HealthMonitorTests()
    {
        _h.Runtime.Install("check", (io, ct) =>
        {
            Interlocked.Increment(ref _checks);
            return Task.FromResult(_ready ? 0 : 1);
        });
        _h.Runtime.Install("hang", async (io, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return 0;
        });
        _h.Runtime.Install("say", async (io, ct) =>
        {
            await io.OutAsync(string.Join(' ', io.Request.Command.Skip(1)) + "\n");
            return 1;
        });
    }

    public void Dispose() => _h.Dispose();

    HealthMonitor Monitor => _h.Get<HealthMonitor>();

    HealthView? Health(string name) => Monitor.View(name, _h.Store.GetIsle(name)?.Pid);

    static string Check(string check, string extra = "interval: 1s, retries: 2") => $"  healthcheck: {{{check}, {extra}}}";

    /// <summary>
    /// Moves fake time on in small steps (each lets a due check run on the thread pool) and runs the passes that
    /// become due, until <paramref name="condition"/> holds; fails after 20 s of real time.
    /// </summary>
    async Task AdvanceUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"timed out after 20 s waiting for {what}");
            _h.Time.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Delay(10);
            await _h.SettleAsync();
        }
    }

    [Fact]
    public async Task Exec_PassingCheck_StartingThenHealthyWithEvent()
    {
        _ready = false;
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web", extra: Check("exec: [check]", "interval: 1s, retries: 2, startPeriod: 1h")));
        await _h.SyncAsync();
        await AdvanceUntilAsync(() => _checks >= 2, "two checks");

        Assert.Equal(HealthView.Starting, Health("web")!.Status);
        _ready = true;
        await AdvanceUntilAsync(() => Health("web")?.Status == HealthView.Healthy, "web healthy");

        var health = Health("web")!;
        Assert.Equal(0, health.FailingStreak);
        Assert.True(health.Log[^1].Passed);
        Assert.Equal(0, health.Log[^1].ExitCode);
        Assert.Contains(_h.Events.Recent(), e => e.Name == "web" && e.Reason == "Healthy" && e.Message.StartsWith("exec [check] passed", StringComparison.Ordinal));
        Assert.Equal(1, _h.Runtime.Incarnations("web"));
    }

    [Fact]
    public async Task Exec_FailingRetriesTimes_UnhealthyThenRestartedByPolicyAlways()
    {
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web", extra: Check("exec: [check]")));
        await _h.SyncAsync();
        await AdvanceUntilAsync(() => Health("web")?.Status == HealthView.Healthy, "web healthy");
        var firstPid = _h.Isle("web").Pid;

        _ready = false;
        await AdvanceUntilAsync(() => _h.Runtime.Incarnations("web") == 2 && _h.StateOf("web") == IslePhase.Running, "web restarted");

        Assert.NotEqual(firstPid, _h.Isle("web").Pid);
        var unhealthy = Assert.Single(_h.Events.Recent(), e => e.Name == "web" && e.Reason == "Unhealthy");
        Assert.Equal("exec [check] failed 2 times in a row: exit code 1; restarting it (restartPolicy Always)", unhealthy.Message);
        Assert.Contains(_h.Events.Recent(), e => e.Name == "web" && e.Reason == "BackOff" && e.Message.StartsWith("stopped as unhealthy", StringComparison.Ordinal));
        Assert.Equal(1, _h.Isle("web").RestartCount);
        Assert.NotEqual(HealthView.Unhealthy, Health("web")?.Status); // the new run starts again
    }

    [Fact]
    public async Task Exec_UnhealthyUnderOnFailure_RestartedEvenIfItExitsZeroOnStop()
    {
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web", restart: "OnFailure", extra: Check("exec: [check]")));
        await _h.SyncAsync();
        _ready = false;

        await AdvanceUntilAsync(() => _h.Runtime.Incarnations("web") == 2 && _h.StateOf("web") == IslePhase.Running, "web restarted");

        Assert.Contains(_h.Events.Recent(), e => e.Name == "web" && e.Reason == "Unhealthy" && e.Message.EndsWith("restarting it (restartPolicy OnFailure)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Exec_UnhealthyUnderNever_LeftRunningUnhealthy()
    {
        _ready = false;
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web", restart: "Never", extra: Check("exec: [say, not, ready]")));
        await _h.SyncAsync();

        await AdvanceUntilAsync(() => Health("web")?.Status == HealthView.Unhealthy, "web unhealthy");
        await AdvanceUntilAsync(() => Health("web")!.FailingStreak >= 4, "more checks");

        Assert.Equal(1, _h.Runtime.Incarnations("web"));
        Assert.Equal(IslePhase.Running, _h.StateOf("web"));
        var e = Assert.Single(_h.Events.Recent(), e => e.Name == "web" && e.Reason == "Unhealthy");
        Assert.Equal("exec [say, not, ready] failed 2 times in a row: exit code 1: not ready; left running (restartPolicy Never)", e.Message);
        Assert.Equal("not ready\n", Health("web")!.Log[^1].Output);
    }

    [Fact]
    public async Task Exec_CheckTakesLongerThanTimeout_FailsWithExitMinusOne()
    {
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web", restart: "Never", extra: Check("exec: [hang]", "interval: 5s, timeout: 2s, retries: 1")));
        await _h.SyncAsync();

        await AdvanceUntilAsync(() => Health("web")?.Status == HealthView.Unhealthy, "web unhealthy");

        var result = Health("web")!.Log[^1];
        Assert.Equal((false, -1, "timed out after 2s"), (result.Passed, result.ExitCode, result.Output));
        await ControllerHarness.EventuallyAsync(() => _h.Runtime.RunningExecs("web") == 0, "the timed-out check killed");
    }

    [Fact]
    public async Task Exec_CommandNotInIsle_Fails127()
    {
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web", restart: "Never", extra: Check("exec: [missing]", "interval: 1s, retries: 1")));
        await _h.SyncAsync();

        await AdvanceUntilAsync(() => Health("web")?.Status == HealthView.Unhealthy, "web unhealthy");

        Assert.Equal(127, Health("web")!.Log[^1].ExitCode);
    }

    [Fact]
    public async Task HealthcheckEdit_AppliedWithoutRestart()
    {
        _ready = false;
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web", restart: "Never", extra: Check("exec: [say, old]")));
        await _h.SyncAsync();
        await AdvanceUntilAsync(() => Health("web")?.Status == HealthView.Unhealthy, "web unhealthy");
        var pid = _h.Isle("web").Pid;

        _ready = true;
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web", restart: "Never", extra: Check("exec: [check]", "interval: 2s")));
        await _h.SyncAsync();
        await AdvanceUntilAsync(() => Health("web")?.Status == HealthView.Healthy, "web healthy under the new check");

        Assert.Equal((1, pid), (_h.Runtime.Incarnations("web"), _h.Isle("web").Pid));
        Assert.DoesNotContain(_h.Events.Recent(), e => e.Name == "web" && e.Reason is "Recreating" or "Stopping");
    }

    [Fact]
    public async Task Tcp_ListenerThereThenGone_HealthyThenUnhealthy()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        try
        {
            _h.Write("db.yaml", ControllerHarness.IsleYaml("db", restart: "Never", extra: Check($"tcp: {{port: {port}}}", "interval: 1s, retries: 1")));
            await _h.SyncAsync();
            await AdvanceUntilAsync(() => Health("db")?.Status == HealthView.Healthy, "db healthy");
            Assert.Equal($"connected to 127.0.0.1:{port}", Health("db")!.Log[^1].Output);

            listener.Stop();
            await AdvanceUntilAsync(() => Health("db")?.Status == HealthView.Unhealthy, "db unhealthy");

            Assert.Contains("refused", Health("db")!.Log[^1].Output, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            listener.Dispose();
        }
    }

    [Fact]
    public async Task Http_StatusDecides_200HealthyAnd500Unhealthy()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var status = "200 OK";
        string? lastRequest = null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var server = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var client = await listener.AcceptTcpClientAsync(stop.Token);
                var stream = client.GetStream();
                var buffer = new byte[1024];
                var n = await stream.ReadAsync(buffer, stop.Token);
                lastRequest = Encoding.ASCII.GetString(buffer, 0, n);
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.0 {status}\r\nContent-Length: 0\r\n\r\n"), stop.Token);
            }
        }, stop.Token);
        try
        {
            _h.Write("web.yaml", ControllerHarness.IsleYaml("web", restart: "Never", extra: Check($"http: {{port: {port}, path: /healthz}}", "interval: 1s, retries: 1")));
            await _h.SyncAsync();
            await AdvanceUntilAsync(() => Health("web")?.Status == HealthView.Healthy, "web healthy");
            Assert.StartsWith("GET /healthz HTTP/1.0\r\n", lastRequest);
            Assert.Equal((200, "GET /healthz: HTTP/1.0 200 OK"), (Health("web")!.Log[^1].HttpStatus, Health("web")!.Log[^1].Output));

            status = "500 Internal Server Error";
            await AdvanceUntilAsync(() => Health("web")?.Status == HealthView.Unhealthy, "web unhealthy");

            Assert.Equal(500, Health("web")!.Log[^1].HttpStatus);
        }
        finally
        {
            await stop.CancelAsync();
            listener.Stop();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => server);
            listener.Dispose();
        }
    }

    [Fact]
    public async Task DependsOnHealthy_DependentStartsOnlyOnceDependencyHealthy()
    {
        _ready = false;
        _h.Write("db.yaml", ControllerHarness.IsleYaml("db", extra: Check("exec: [check]", "interval: 1s, retries: 2, startPeriod: 1h")));
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web", dependsOn: "{name: db, condition: Healthy}"));
        _h.Write("log.yaml", ControllerHarness.IsleYaml("log", dependsOn: "db"));
        await _h.SyncAsync();
        await AdvanceUntilAsync(() => _checks >= 2, "two checks of db");

        Assert.Equal(IslePhase.Running, _h.StateOf("db"));
        Assert.Equal(IslePhase.Running, _h.StateOf("log")); // a plain name waits for running only
        Assert.False(_h.Runtime.IsRunning("web"));
        Assert.Equal((Reasons.WaitingForDependencies, "waiting for db to be healthy"), (_h.Isle("web").Reason, _h.Isle("web").Message));

        _ready = true;
        await AdvanceUntilAsync(() => _h.Runtime.IsRunning("web"), "web started");

        Assert.Equal(HealthView.Healthy, Health("db")!.Status);
    }

    [Fact]
    public async Task DependsOnHealthy_DependencyWithoutHealthcheckInAnotherFile_HeldBackSayingSo()
    {
        _h.Write("db.yaml", ControllerHarness.IsleYaml("db"));
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web", dependsOn: "{name: db, condition: Healthy}"));
        await _h.SyncAsync();

        Assert.False(_h.Runtime.IsRunning("web"));
        Assert.Equal(Reasons.MissingReference, _h.Isle("web").Reason);
        Assert.Equal(DesiredStateCheck.WithoutHealthcheck("db"), _h.Isle("web").Message);
        Assert.Contains(_h.Events.Recent(), e => e.Name == "web" && e.Reason == Reasons.MissingReference);
    }

    [Fact]
    public async Task IsleEnded_ChecksStopAndHealthGoes()
    {
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web", restart: "Never", extra: Check("exec: [check]")));
        await _h.SyncAsync();
        await AdvanceUntilAsync(() => Health("web")?.Status == HealthView.Healthy, "web healthy");
        var pid = _h.Isle("web").Pid;

        _h.Runtime.Exit("web", 0);
        await _h.SettleAsync();
        var before = _checks;
        for (var i = 0; i < 5; i++) await _h.AdvanceAsync(TimeSpan.FromSeconds(1));

        Assert.Null(Monitor.View("web", pid));
        Assert.Equal(before, _checks);
    }
}
