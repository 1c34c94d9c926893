using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary><c>islanderctl stats</c> against a real islanderd: what the kernel's counters say about real isles.</summary>
[Collection(DaemonAloneCollection.Name)]
public sealed class StatsTests : IAsyncDisposable
{
    readonly DaemonHarness _h;

    public StatsTests()
    {
        HostCaps.RequireRoot();
        _h = new DaemonHarness();
    }

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    /// <summary><c>islanderctl stats --no-stream -o json NAME...</c>: the items, each with cpu.percent over one second.</summary>
    async Task<List<JsonObject>> SampleAsync(params string[] names)
    {
        var r = await _h.CtlAsync(["stats", "--no-stream", "-o", "json", .. names]);
        Assert.True(r.ExitCode == 0, r.ToString());
        return JsonNode.Parse(r.Stdout)!["items"]!.AsArray().Select(i => i!.AsObject()).ToList();
    }

    [Fact]
    public async Task NoStream_IsleHolding30MB_MemoryAboveIt_TheLimit_TwoTasks()
    {
        await _h.StartDaemonAsync();
        var name = _h.NewName("stats");
        // 30 MB through a pipe into a shell variable: resident in sh, then sh waits on sleep. The echo after it keeps
        // busybox sh from exec'ing its last command (sleep would replace sh, and the variable with it).
        _h.WriteManifest("mem.yaml", _h.IsleYaml(name, "x=$(head -c 30000000 /dev/zero | tr \"\\0\" a); sleep 100; echo ${#x}",
            extraSpec: "  resources: {memory: 64Mi, pids: 16}\n"));
        await _h.WaitRunningAsync(name);

        JsonObject? stats = null;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(20))
        {
            stats = Assert.Single(await SampleAsync(name));
            if ((long?)stats["memory"]?["usageBytes"] >= 25L << 20 && (long?)stats["pids"]?["current"] == 2) break;
        }

        Assert.True((long?)stats!["memory"]?["usageBytes"] >= 25L << 20, stats.ToJsonString());
        Assert.True((long?)stats["memory"]?["usageBytes"] <= 64L << 20, stats.ToJsonString());
        Assert.Equal(64L << 20, (long?)stats["memory"]?["limitBytes"]);
        Assert.True((bool?)stats["memory"]?["limited"]);
        Assert.Equal(2, (long?)stats["pids"]?["current"]); // sh and sleep
        Assert.Equal(16, (long?)stats["pids"]?["limit"]);
        // Its own network namespace, with loopback only: no traffic.
        Assert.Equal(0, (long?)stats["network"]?["rxBytes"]);
        Assert.True((long?)stats["blockIO"]?["readBytes"] >= 0, stats.ToJsonString());

        var table = await _h.CtlAsync("stats", "--no-stream", name);
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Matches($@"\n{name} +\d+\.\d\d% +\d+(\.\d+)?MiB / 64MiB +\d+\.\d\d% +0B / 0B +\S+ / \S+ +2\n", table.Stdout);
    }

    [Fact]
    public async Task NoStream_BusyLoopWithHalfACpu_AboutFiftyPercentNeverAboveTheQuota()
    {
        await _h.StartDaemonAsync();
        var name = _h.NewName("stats");
        _h.WriteManifest("cpu.yaml", _h.IsleYaml(name, "while :; do :; done", extraSpec: "  resources: {cpu: 0.5}\n"));
        await _h.WaitRunningAsync(name);
        await Task.Delay(500, TestContext.Current.CancellationToken); // past the first CFS periods

        // Each sample is CPU % over one second. The quota caps every window at 50 % (plus where the 100 ms CFS periods
        // fall against the window: under 10 points), so no sample may pass 60 %. A loaded machine can take the CPU from
        // the isle in some windows, so only the best of up to five samples must reach 30 %.
        var samples = new List<double>();
        while (samples.Count < 5 && !samples.Any(p => p >= 40))
            samples.Add((double)Assert.Single(await SampleAsync(name))["cpu"]!["percent"]!);

        var seen = string.Join(", ", samples.Select(p => p.ToString("0.00", CultureInfo.InvariantCulture)));
        Assert.All(samples, p => Assert.True(p <= 60, $"CPU % above the quota: {seen}"));
        Assert.True(samples.Max() >= 30, $"CPU % far below the quota in every window: {seen}");
    }

    [Fact]
    public async Task NoStream_UnknownIsle_ExitOneNotFound()
    {
        await _h.StartDaemonAsync();

        var r = await _h.CtlAsync("stats", "--no-stream", "nope");

        Assert.Equal(1, r.ExitCode);
        Assert.Equal("error: isle \"nope\" not found\n", r.Stderr);
    }
}
