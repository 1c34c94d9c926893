using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary>
/// islanderd's memory settings (the controller's README, "Memory") are in effect in the daemon as users start it: the
/// build's runtimeconfig, with no variable set by the test. A build that lost one, or a runtime that stopped reading
/// it, fails here, without a timing or an RSS threshold.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class DaemonRuntimeSettingsTests : IAsyncDisposable
{
    readonly DaemonHarness _h;

    public DaemonRuntimeSettingsTests()
    {
        HostCaps.RequireRoot();
        _h = new DaemonHarness();
    }

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    [Fact]
    public async Task Metrics_RuntimeInfo_ReportsTheChosenMemorySettings()
    {
        await _h.StartDaemonAsync();
        var metrics = await _h.Http.GetStringAsync("/metrics", TestContext.Current.CancellationToken);

        var info = Assert.Single(metrics.Split('\n'), l => l.StartsWith("islander_dotnet_runtime_info{", StringComparison.Ordinal));
        Assert.Equal("islander_dotnet_runtime_info{gc=\"workstation\",gc_concurrent=\"false\",tiered_compilation=\"false\",write_xor_execute=\"true\"} 1", info);
    }

    [Fact]
    public async Task Process_NoTieringThread_AndNoMappingWritableAndExecutable()
    {
        await _h.StartDaemonAsync();
        var pid = _h.Daemon!.Id;
        // Requests run the same methods often enough that tiered compilation would recompile them on its background
        // thread (".NET Tiered Compilation Worker", comm ".NET Tiered Com"); without tiering, each is compiled once.
        for (int i = 0; i < 200; i++)
            (await _h.Http.GetAsync($"{DaemonHarness.Api}/isles", TestContext.Current.CancellationToken)).Dispose();

        var threads = Directory.GetDirectories($"/proc/{pid}/task").Select(t => File.ReadAllText(Path.Combine(t, "comm")).Trim()).ToList();
        Assert.DoesNotContain(".NET Tiered Com", threads);
        // W^X stays on (the README says why): no mapping is writable and executable at once. The JIT's code is written
        // through one mapping of a memfd and run through another; the package's NativeAOT islanderd makes no code.
        Assert.DoesNotContain(File.ReadLines($"/proc/{pid}/maps"), l => l.Split(' ', 3)[1] is [_, 'w', 'x', _]);
    }
}
