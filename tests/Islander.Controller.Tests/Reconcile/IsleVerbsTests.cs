using Islander.Controller.Desired;
using Islander.Controller.Reconcile;
using Islander.Model;

namespace Islander.Controller.Tests.Reconcile;

/// <summary>The lifecycle verbs over the fake runtime: what stays, what changes, what is refused.</summary>
public sealed class IsleVerbsTests : IDisposable
{
    readonly ControllerHarness _h = new();

    public void Dispose() => _h.Dispose();

    IsleVerbs Verbs => _h.Get<IsleVerbs>();

    static CancellationToken Ct => TestContext.Current.CancellationToken;

    async Task<int> RunningAsync(string name, string restart = "Always")
    {
        _h.Write(name + ".yaml", ControllerHarness.IsleYaml(name, restart: restart));
        await _h.SyncAsync();
        Assert.Equal(IslePhase.Running, _h.StateOf(name));
        return _h.Isle(name).Pid!.Value;
    }

    [Fact]
    public async Task Stop_RestartPolicyAlways_StaysStoppedThroughResyncsAndTime()
    {
        await RunningAsync("web");

        var record = await Verbs.StopAsync("web", null, Ct);
        _h.Loop.EnqueueAll();
        await _h.SyncAsync();
        await _h.AdvanceAsync(TimeSpan.FromMinutes(10));
        _h.Loop.EnqueueAll();
        await _h.SettleAsync();

        Assert.Equal(IslePhase.Stopped, record.State);
        Assert.Equal(IslePhase.Stopped, _h.StateOf("web"));
        Assert.Equal(Reasons.StoppedByUser, _h.Isle("web").Reason);
        Assert.StartsWith("stopped by islanderctl stop at 2026-01-01T00:", _h.Isle("web").Message);
        Assert.False(_h.Runtime.IsRunning("web"));
        Assert.Equal(1, _h.Runtime.Incarnations("web"));
    }

    [Fact]
    public async Task Stop_ThenDaemonRestart_StillStopped_StartRunsItAgain()
    {
        await RunningAsync("web");
        await Verbs.StopAsync("web", null, Ct);

        _h.Restart();
        await _h.SyncAsync();
        _h.Loop.EnqueueAll();
        await _h.SettleAsync();
        Assert.Equal(IslePhase.Stopped, _h.StateOf("web"));
        Assert.Equal(1, _h.Runtime.Incarnations("web"));

        var started = await Verbs.StartAsync("web", Ct);

        Assert.Equal(IslePhase.Running, started.State);
        Assert.True(_h.Runtime.IsRunning("web"));
        Assert.Equal(2, _h.Runtime.Incarnations("web"));
        Assert.False(_h.Isle("web").StoppedByUser);
    }

    [Fact]
    public async Task Stop_WithTimeout_EventSaysIt()
    {
        await RunningAsync("web");

        await Verbs.StopAsync("web", TimeSpan.FromSeconds(3), Ct);

        Assert.Contains(_h.Events.Recent(), e => e.Name == "web" && e.Reason == "Stopping" && e.Message == "signal 15, SIGKILL after 3s");
    }

    [Fact]
    public async Task Stop_ThenSpecChange_StartsTheNewSpec()
    {
        await RunningAsync("web");
        await Verbs.StopAsync("web", null, Ct);

        _h.Write("web.yaml", ControllerHarness.IsleYaml("web", command: "httpd"));
        await _h.SyncAsync();

        Assert.Equal(IslePhase.Running, _h.StateOf("web"));
        Assert.Equal(["/bin/httpd"], _h.Runtime.SpecOf("web")!.Command);
        Assert.False(_h.Isle("web").StoppedByUser);
    }

    [Fact]
    public async Task Stop_ApiIsle_SameAsManifestIsle()
    {
        _h.Desired.Apply(DesiredObject.ForIsle("api", new IsleSpec { Rootfs = "/r", Command = ["/bin/sleep"] }, "api"));
        await _h.SettleAsync();
        Assert.Equal(IslePhase.Running, _h.StateOf("api"));

        await Verbs.StopAsync("api", null, Ct);
        await _h.AdvanceAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(IslePhase.Stopped, _h.StateOf("api"));
        Assert.Equal(Reasons.StoppedByUser, _h.Isle("api").Reason);
    }

    [Fact]
    public async Task Start_RunningIsle_ConflictAndNothingChanges()
    {
        int pid = await RunningAsync("web");

        var e = await Assert.ThrowsAsync<IslanderException>(() => Verbs.StartAsync("web", Ct));

        Assert.Equal(ErrorCategory.Conflict, e.Category);
        Assert.Contains("already Running", e.Message);
        Assert.Equal(pid, _h.Isle("web").Pid);
        Assert.Equal(1, _h.Runtime.Incarnations("web"));
    }

    [Fact]
    public async Task Verbs_MissingIsle_NotFoundNamingIt()
    {
        foreach (var verb in (Func<Task>[])[() => Verbs.StopAsync("ghost", null, Ct), () => Verbs.StartAsync("ghost", Ct),
            () => Verbs.RestartAsync("ghost", null, Ct), () => Verbs.KillAsync("ghost", 15, Ct), () => Verbs.PauseAsync("ghost", Ct),
            () => Verbs.UnpauseAsync("ghost", Ct)])
        {
            var e = await Assert.ThrowsAsync<IslanderException>(verb);
            Assert.Equal(ErrorCategory.NotFound, e.Category);
            Assert.Contains("\"ghost\"", e.Message);
        }
        Assert.Null(_h.Store.GetIsle("ghost"));
    }

    [Fact]
    public async Task Restart_KeepsSpec_NewProcess_StillAlwaysRestarted()
    {
        int pid = await RunningAsync("web");

        var record = await Verbs.RestartAsync("web", TimeSpan.FromSeconds(1), Ct);

        Assert.Equal(IslePhase.Running, record.State);
        Assert.NotEqual(pid, record.Pid);
        Assert.Equal(2, _h.Runtime.Incarnations("web"));
        Assert.False(_h.Isle("web").StoppedByUser);
        _h.Runtime.Exit("web", 0); // its restart policy still applies
        await _h.SettleAsync();
        Assert.Equal(3, _h.Runtime.Incarnations("web"));
    }

    [Fact]
    public async Task Kill_SignalReachesPid1_KillLetsRestartPolicyAct()
    {
        await RunningAsync("web");

        await Verbs.KillAsync("web", 10, Ct);
        Assert.Equal([10], _h.Runtime.SignalsOf("web"));
        Assert.True(_h.Runtime.IsRunning("web")); // a handled signal: it goes on

        await Verbs.KillAsync("web", 9, Ct);
        await _h.SettleAsync();

        Assert.Equal(IslePhase.Running, _h.StateOf("web")); // Always: restarted, as after any exit
        Assert.Equal(2, _h.Runtime.Incarnations("web"));
    }

    [Fact]
    public async Task Kill_NotRunning_Conflict()
    {
        await RunningAsync("job", restart: "Never");
        _h.Runtime.Exit("job", 0);
        await _h.SettleAsync();

        var e = await Assert.ThrowsAsync<IslanderException>(() => Verbs.KillAsync("job", 9, Ct));

        Assert.Equal(ErrorCategory.Conflict, e.Category);
        Assert.Equal(IslePhase.Succeeded, _h.StateOf("job"));
    }

    [Fact]
    public async Task Pause_FreezesAndIsNotRestarted_UnpauseThaws()
    {
        int pid = await RunningAsync("web");

        await Verbs.PauseAsync("web", Ct);
        _h.Loop.EnqueueAll();
        await _h.AdvanceAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(IslePhase.Paused, _h.StateOf("web"));
        Assert.Equal(Reasons.Paused, _h.Isle("web").Reason);
        Assert.True(_h.Runtime.IsFrozen("web"));
        Assert.Equal(pid, _h.Isle("web").Pid);
        Assert.Equal(ErrorCategory.Conflict, (await Assert.ThrowsAsync<IslanderException>(() => Verbs.PauseAsync("web", Ct))).Category);
        Assert.Equal(ErrorCategory.Conflict, (await Assert.ThrowsAsync<IslanderException>(() => Verbs.KillAsync("web", 15, Ct))).Category);

        await Verbs.UnpauseAsync("web", Ct);

        Assert.Equal(IslePhase.Running, _h.StateOf("web"));
        Assert.False(_h.Runtime.IsFrozen("web"));
        Assert.Null(_h.Isle("web").Reason);
        Assert.Equal(pid, _h.Isle("web").Pid);
        Assert.Equal(1, _h.Runtime.Incarnations("web"));
        Assert.Contains(_h.Events.Recent(), e => e.Name == "web" && e.Reason == "Paused");
        Assert.Contains(_h.Events.Recent(), e => e.Name == "web" && e.Reason == "Unpaused");
    }

    [Fact]
    public async Task Unpause_RunningIsle_ConflictAndNothingChanges()
    {
        await RunningAsync("web");

        var e = await Assert.ThrowsAsync<IslanderException>(() => Verbs.UnpauseAsync("web", Ct));

        Assert.Equal(ErrorCategory.Conflict, e.Category);
        Assert.Equal(IslePhase.Running, _h.StateOf("web"));
    }

    [Fact]
    public async Task Stop_PausedIsle_ThawsThenStops()
    {
        await RunningAsync("web");
        await Verbs.PauseAsync("web", Ct);

        await Verbs.StopAsync("web", null, Ct);

        Assert.Equal(IslePhase.Stopped, _h.StateOf("web"));
        Assert.False(_h.Runtime.IsRunning("web"));
    }

    [Fact]
    public async Task Paused_ThenDaemonRestart_StaysPaused_KilledWhilePaused_Restarted()
    {
        await RunningAsync("web");
        await Verbs.PauseAsync("web", Ct);

        _h.Restart();
        await _h.SyncAsync();
        Assert.Equal(IslePhase.Paused, _h.StateOf("web"));
        Assert.Equal(1, _h.Runtime.Incarnations("web"));

        _h.Runtime.Kill("web", 9);
        await _h.SettleAsync();

        Assert.Equal(IslePhase.Running, _h.StateOf("web"));
        Assert.Equal(2, _h.Runtime.Incarnations("web"));
    }

    [Fact]
    public async Task Start_EndedIsleWithPolicyNever_RunsAgain()
    {
        await RunningAsync("job", restart: "Never");
        _h.Runtime.Exit("job", 1);
        await _h.SettleAsync();
        Assert.Equal(IslePhase.Failed, _h.StateOf("job"));

        var record = await Verbs.StartAsync("job", Ct);

        Assert.Equal(IslePhase.Running, record.State);
        Assert.Equal(2, _h.Runtime.Incarnations("job"));
    }
}
