using Islander.Model;
using System.Collections.Concurrent;
using Islander.Controller.Lifecycle;
using Islander.Controller.Ports;

namespace Islander.Controller.Tests.Reconcile;

/// <summary>
/// Stops wait outside the reconcile workers: a prune of many isles whose PID 1 ignores SIGTERM takes one stop timeout,
/// not one per four isles, and a new isle applied meanwhile starts at once. The loop runs as islanderd runs it (its
/// four workers in the background), on fake time.
/// </summary>
public sealed class ParallelStopTests : IDisposable
{
    static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);
    readonly ControllerHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task Prune_FortyIslesIgnoringSigterm_AllStopWithinOneStopTimeout_AndANewIsleStartsMeanwhile()
    {
        var old = Enumerable.Range(0, 40).Select(i => $"old-{i:00}").ToList();
        foreach (var name in old)
            _h.Write($"{name}.yaml", ControllerHarness.IsleYaml(name, extra: "  stopTimeout: 10s"));
        await _h.SyncAsync();
        Assert.All(old, n => Assert.Equal(IslePhase.Running, _h.StateOf(n)));

        // PID 1 ignores SIGTERM: each stop ends with the SIGKILL after its stop timeout, on the fake clock.
        var waiting = new ConcurrentDictionary<string, bool>();
        _h.Runtime.StopGate = name =>
        {
            waiting[name] = true;
            return Task.Delay(StopTimeout, _h.Time);
        };
        var ct = TestContext.Current.CancellationToken;
        await _h.Loop.StartAsync(ct);
        try
        {
            foreach (var name in old) _h.Remove($"{name}.yaml");
            _h.Write("new.yaml", ControllerHarness.IsleYaml("new"));
            _h.Source.Scan();

            await ControllerHarness.EventuallyAsync(() => _h.StateOf("new") == IslePhase.Running, "the new isle to run while 40 stops wait");
            await ControllerHarness.EventuallyAsync(() => waiting.Count == old.Count, "all 40 stops to have begun (SIGTERM sent to each)");
            Assert.All(old, n => Assert.True(_h.Runtime.IsRunning(n), $"{n} ended before its stop timeout"));

            _h.Time.Advance(StopTimeout); // one stop timeout: every SIGKILL is due
            await ControllerHarness.EventuallyAsync(() => old.All(n => _h.StateOf(n) is null && _h.Runtime.Probe(n).State == IsleProcessState.NotFound),
                "all 40 isles stopped and removed after one stop timeout");
            Assert.Equal(IslePhase.Running, _h.StateOf("new"));
        }
        finally
        {
            await _h.Loop.StopAsync(CancellationToken.None);
        }
    }
}
