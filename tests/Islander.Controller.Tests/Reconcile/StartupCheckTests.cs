using Islander.Controller.Api;
using Islander.Controller.Reconcile;
using Islander.Model;

namespace Islander.Controller.Tests.Reconcile;

public sealed class StartupCheckTests : IDisposable
{
    readonly ControllerHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task IsleDiedWhileDaemonDown_ShownUnknownWithoutPid_UntilItsPassRestartsIt()
    {
        _h.Write("dead.yaml", ControllerHarness.IsleYaml("dead"));
        _h.Write("alive.yaml", ControllerHarness.IsleYaml("alive"));
        await _h.SyncAsync();
        var oldPid = _h.Isle("dead").Pid;

        _h.Restart();
        _h.Runtime.Kill("dead"); // while no daemon watched: its record still says Running with that pid
        var check = _h.Get<StartupCheck>();

        Assert.Equal(1, check.Run());
        Assert.Null(check.Of(_h.Isle("alive")));
        var ended = check.Of(_h.Isle("dead"));
        Assert.NotNull(ended);
        var status = ObjectViews.Object(null, _h.Isle("dead"), ObjectKey.Isle("dead"), ended: ended).Status;
        Assert.Equal(("Unknown", Reasons.EndedWhileDown, (int?)null, (int?)9), (status.Phase, status.Reason, status.Pid, status.ExitSignal));
        Assert.Contains($"pid {oldPid}", status.Message, StringComparison.Ordinal);

        await _h.SyncAsync();

        Assert.Equal(IslePhase.Running, _h.StateOf("dead"));
        Assert.NotEqual(oldPid, _h.Isle("dead").Pid);
        Assert.Null(check.Of(_h.Isle("dead")));
    }
}
