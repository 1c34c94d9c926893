using System.Text.Json.Nodes;
using Islander.Cli.Api;
using Islander.Testing.Fakes;

namespace Islander.Controller.Tests.Api;

/// <summary>
/// <c>GET isles/NAME/stats</c>, <c>GET stats</c> and <c>islanderctl stats</c> against islanderd over the fake runtime,
/// whose isles use what <see cref="FakeIsleRuntime.SetUsage"/> says (CPU as a steady rate, so CPU % is exact).
/// </summary>
public sealed class StatsApiTests : IAsyncLifetime
{
    readonly DaemonFixture _d = new();

    public async ValueTask InitializeAsync() => await _d.StartAsync();

    public async ValueTask DisposeAsync() => await _d.DisposeAsync();

    static readonly FakeIsleUsage Busy = new(CpuCores: 0.5, MemoryBytes: 30 << 20, Pids: 2, BlockReadBytes: 1536, BlockWriteBytes: 4 << 20,
        NetworkRxBytes: 2048, NetworkTxBytes: 100);

    async Task RunAsync(string name, string resources = "resources: {memory: 64Mi, pids: 32}", string restart = "Always")
    {
        var (exit, _, error) = await _d.CtlAsync("apply", "-f", _d.WriteTemp(name + ".yaml", ControllerHarness.IsleYaml(name, restart: restart, extra: "  " + resources)));
        Assert.True(exit == 0, error);
        await _d.WaitAsync(() => _d.Runtime.IsRunning(name), TimeSpan.FromSeconds(5), $"{name} running");
        using var client = new IslanderClient(_d.Socket);
        await _d.WaitAsync(() => client.GetAsync("isles", name, default).GetAwaiter().GetResult().Status.Phase == "Running",
            TimeSpan.FromSeconds(5), $"{name} Running in the API");
    }

    async Task<JsonObject> GetAsync(string? name)
    {
        using var client = new IslanderClient(_d.Socket);
        return JsonNode.Parse(await client.StatsRawAsync(name, TestContext.Current.CancellationToken))!.AsObject();
    }

    [Fact]
    public async Task Get_RunningIsle_CountersAndLimits()
    {
        await RunAsync("web");
        _d.Runtime.SetUsage("web", Busy);

        var stats = await GetAsync("web");

        Assert.Equal("IsleStats", (string?)stats["kind"]);
        Assert.Equal("web", (string?)stats["metadata"]!["name"]);
        Assert.True(DateTimeOffset.UtcNow - DateTimeOffset.Parse((string)stats["timestamp"]!) < TimeSpan.FromSeconds(5));
        Assert.True((long)stats["cpu"]!["usageNanoseconds"]! > 0);
        Assert.Equal(30L << 20, (long)stats["memory"]!["usageBytes"]!);
        Assert.Equal(64L << 20, (long)stats["memory"]!["limitBytes"]!);
        Assert.True((bool)stats["memory"]!["limited"]!);
        Assert.Equal(2, (long)stats["pids"]!["current"]!);
        Assert.Equal(32, (long)stats["pids"]!["limit"]!);
        Assert.Equal(1536, (long)stats["blockIO"]!["readBytes"]!);
        Assert.Equal(4L << 20, (long)stats["blockIO"]!["writeBytes"]!);
        Assert.Equal(2048, (long)stats["network"]!["rxBytes"]!);
        Assert.Equal(100, (long)stats["network"]!["txBytes"]!);
    }

    [Fact]
    public async Task Get_NoLimitsHostNetwork_MachineMemoryAndNullNetwork()
    {
        await RunAsync("free", resources: "hostNetwork: true\n  resources: {pids: max}");
        _d.Runtime.SetUsage("free", new FakeIsleUsage(NetworkRxBytes: null, NetworkTxBytes: null));

        var stats = await GetAsync("free");

        Assert.Equal(FakeIsleRuntime.MachineMemoryBytes, (long)stats["memory"]!["limitBytes"]!);
        Assert.False((bool)stats["memory"]!["limited"]!);
        Assert.Null(stats["pids"]!["limit"]);
        Assert.Null(stats["network"]);
    }

    [Fact]
    public async Task List_EveryRunningIsleOnly()
    {
        await RunAsync("a");
        await RunAsync("b");
        await RunAsync("done", restart: "Never");
        _d.Runtime.Exit("done", 0);
        await _d.WaitAsync(() => !_d.Runtime.IsRunning("done"), TimeSpan.FromSeconds(5), "done ended");

        var list = await GetAsync(null);

        Assert.Equal("IsleStatsList", (string?)list["kind"]);
        Assert.Equal(["a", "b"], list["items"]!.AsArray().Select(i => (string)i!["metadata"]!["name"]!));
    }

    [Fact]
    public async Task Get_UnknownIsle_NotFound()
    {
        var e = await Assert.ThrowsAsync<ClientException>(() => GetAsync("nope"));
        Assert.Equal("NotFound", e.Reason);

        var (exit, output, error) = await _d.CtlAsync("stats", "--no-stream", "nope");

        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Equal("error: isle \"nope\" not found\n", error);
    }

    [Fact]
    public async Task Get_IsleNotRunning_ConflictNamingThePhase()
    {
        await RunAsync("job", restart: "Never");
        _d.Runtime.Exit("job", 3);
        using var client = new IslanderClient(_d.Socket);
        await _d.WaitAsync(() => client.GetAsync("isles", "job", default).GetAwaiter().GetResult().Status.Phase == "Failed",
            TimeSpan.FromSeconds(5), "job Failed");

        var e = await Assert.ThrowsAsync<ClientException>(() => GetAsync("job"));
        Assert.Equal("Conflict", e.Reason);

        var (exit, _, error) = await _d.CtlAsync("stats", "--no-stream", "job");

        Assert.Equal(1, exit);
        Assert.Equal("error: isle \"job\" is not running (phase Failed)\n", error);
    }

    [Fact]
    public async Task Cli_NoStreamOneIsle_TableWithCpuPercentOverOneSecond()
    {
        await RunAsync("web");
        _d.Runtime.SetUsage("web", Busy);

        var (exit, output, error) = await _d.CtlAsync("stats", "--no-stream", "web");

        Assert.True(exit == 0, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Matches(@"^NAME +CPU % +MEM USAGE / LIMIT +MEM % +NET I/O +BLOCK I/O +PIDS$", lines[0]);
        Assert.Matches(@"^web +50\.00% +30MiB / 64MiB +46\.88% +2KiB / 100B +1\.5KiB / 4MiB +2$", lines[1]);
    }

    [Fact]
    public async Task Cli_NoStreamAllIsles_ARowEachJsonWithPercent()
    {
        await RunAsync("a");
        await RunAsync("b", resources: "hostNetwork: true");
        _d.Runtime.SetUsage("a", Busy);
        _d.Runtime.SetUsage("b", new FakeIsleUsage(CpuCores: 1.5, MemoryBytes: 1 << 30, NetworkRxBytes: null, NetworkTxBytes: null));

        var (exit, output, error) = await _d.CtlAsync("stats", "--no-stream");

        Assert.True(exit == 0, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("a ", lines[1]);
        Assert.Matches(@"^b +150\.00% +1GiB / 8GiB +12\.50% +-- / -- +0B / 0B +1$", lines[2]); // no limit: the machine's memory

        var json = await _d.CtlAsync("stats", "--no-stream", "-o", "json");

        Assert.True(json.Exit == 0, json.Err);
        var list = JsonNode.Parse(json.Out)!;
        Assert.Equal("IsleStatsList", (string?)list["kind"]);
        var items = list["items"]!.AsArray();
        Assert.Equal(["a", "b"], items.Select(i => (string)i!["metadata"]!["name"]!));
        Assert.Equal(50.0, (double)items[0]!["cpu"]!["percent"]!, 1);
        Assert.Equal(150.0, (double)items[1]!["cpu"]!["percent"]!, 1);
        Assert.Equal(30L << 20, (long)items[0]!["memory"]!["usageBytes"]!);
    }

    [Fact]
    public async Task Cli_Stream_ScreensEverySecondUntilCancelled_StoppedIsleShowsDashes()
    {
        await RunAsync("web", restart: "Never");
        _d.Runtime.SetUsage("web", Busy);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cancel.CancelAfter(TimeSpan.FromSeconds(5.5)); // a screen a second: at least 3, also on a loaded machine (CI once saw 2 in 3.5 s)

        var run = DaemonFixture.CtlAsync(["stats", "web"], _d.Socket, cancel.Token);
        await Task.Delay(TimeSpan.FromSeconds(2.3), TestContext.Current.CancellationToken);
        _d.Runtime.Exit("web", 0);
        var (exit, output, error) = await run;

        Assert.True(exit == 0, error);
        var screens = output.Split("\n\n");
        Assert.True(screens.Length >= 3, output);
        Assert.All(screens, s => Assert.StartsWith("NAME ", s));
        Assert.Matches(@"\nweb +50\.00% ", screens[0]);
        Assert.Matches(@"\nweb +-- +-- / -- +-- ", screens[^1]);
    }

    [Fact]
    public async Task Cli_NoDaemon_TheUsualMessage()
    {
        var (exit, _, error) = await DaemonFixture.CtlAsync(["stats", "--no-stream"], Path.Combine(_d.Dir, "none.sock"), TestContext.Current.CancellationToken);

        Assert.Equal(1, exit);
        Assert.Contains("cannot connect to islanderd", error);
    }
}
