using Islander.Controller.Metrics;
using Islander.Model;

namespace Islander.Controller.Tests.Metrics;

/// <summary>
/// <c>/healthz</c> and <c>/readyz</c>'s answers over the controller on fakes and fake time: a pass that hangs in the
/// runtime (a stop that never returns) makes the loop stuck once it has hung for <see cref="DaemonHealth.StuckResyncs"/>
/// resync intervals; an unwritable state store makes the daemon not ready.
/// </summary>
public sealed class DaemonHealthTests : IDisposable
{
    readonly ControllerHarness _h = new();

    public void Dispose() => _h.Dispose();

    DaemonHealth Health => _h.Get<DaemonHealth>();

    [Fact]
    public async Task Live_PassHangsLongerThanThreeResyncs_StuckWithWhy()
    {
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web"));
        await _h.SyncAsync();
        Assert.True(Health.Live().Ok, Health.Live().Message);
        var released = new TaskCompletionSource();
        _h.Runtime.StopGate = _ => released.Task; // the runtime never answers the stop of a recreate

        _h.Write("web.yaml", ControllerHarness.IsleYaml("web", command: "true"));
        _h.Source.Scan();
        var pass = _h.Loop.ProcessReadyAsync(TestContext.Current.CancellationToken);
        await ControllerHarness.EventuallyAsync(() => _h.StateOf("web") == IslePhase.Stopping, "web to show Stopping");

        _h.Time.Advance(_h.Options.Resync * DaemonHealth.StuckResyncs + _h.Isle("web").StopTimeout); // a stop may take its timeout
        var stillOk = Health.Live();
        _h.Time.Advance(TimeSpan.FromSeconds(1));
        var stuck = Health.Live();

        Assert.True(stillOk.Ok, stillOk.Message);
        Assert.False(stuck.Ok);
        Assert.Equal("reconcile loop stuck: no pass finished for 101s (limit 100s: 3 resync intervals and the longest stop timeout of a stopping isle, 10s); 1 pass(es) running, 0 key(s) queued", stuck.Message);

        released.SetResult();
        await pass;
        await _h.SettleAsync();
        Assert.True(Health.Live().Ok, Health.Live().Message);
    }

    [Fact]
    public async Task Live_QuietDaemon_OkLongAfterTheLastPass()
    {
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web"));
        await _h.SyncAsync();

        _h.Time.Advance(TimeSpan.FromHours(1)); // nothing to do is not stuck

        Assert.Equal(new HealthAnswer(true, "ok: reconcile loop idle"), Health.Live());
    }

    [Fact]
    public async Task Ready_BeforeAndAfterTheFirstFullEnqueue()
    {
        var before = Health.Ready();
        _h.Loop.EnqueueAll();
        await _h.SettleAsync();

        Assert.Equal(new HealthAnswer(false, "not ready: the reconcile loop has not enqueued every object yet"), before);
        Assert.Equal(new HealthAnswer(true, "ok"), Health.Ready());
    }

    [Fact]
    public void Ready_StateStoreCannotBeWritten_NotReadyWithReason()
    {
        _h.Loop.EnqueueAll();
        _h.Store.Dispose(); // the database is closed under the daemon: every write throws (a full disk: DaemonReadyTests)

        var answer = Health.Ready();

        Assert.False(answer.Ok);
        Assert.StartsWith("not ready: the state store cannot be written: ", answer.Message, StringComparison.Ordinal);
    }
}
