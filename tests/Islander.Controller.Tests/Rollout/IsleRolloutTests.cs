using Islander.Controller.Rollout;
using Islander.Controller.State;
using Islander.Model;

namespace Islander.Controller.Tests.Rollout;

/// <summary>Health-gated rollouts over the fake runtime and fake time: the rules a real daemon's tests cannot time exactly.</summary>
public sealed class IsleRolloutTests : IDisposable
{
    readonly ControllerHarness _h = new();

    public void Dispose() => _h.Dispose();

    static string Yaml(string image, string update = "{healthTimeout: 60s}", string command = "/bin/app") => $"""
        apiVersion: islander.io/v1
        kind: Isle
        metadata:
          name: app
        spec:
          image: {image}
          command: ["{command}"]
          update: {update}
        """;

    IReadOnlyList<RolloutRecord> History => _h.Get<IsleRollouts>().History("app");

    [Fact]
    public async Task ImageThatCannotBePulled_RolledBackWithoutWaitingForTheTimeout_NotPulledAgainUntilTheManifestChanges()
    {
        var good = _h.Images.Add("busybox:latest");
        _h.Write("app.yaml", Yaml("busybox:latest"));
        await _h.SyncAsync();
        Assert.Equal(IslePhase.Running, _h.StateOf("app"));

        _h.Write("app.yaml", Yaml("localhost:5000/app:2"));
        await _h.SyncAsync();
        await _h.AdvanceAsync(TimeSpan.FromSeconds(1)); // the next look at the rollout: the pull was refused (Error), no use waiting 60 s

        var isle = _h.Isle("app");
        Assert.Equal(IslePhase.Running, isle.State);
        Assert.Equal(good.Id, _h.Runtime.ImageOf("app")!.Id);
        Assert.Equal(Reasons.RolledBack, isle.Reason);
        Assert.StartsWith("revision 2 (generation 2) rolled back to generation 1 (revision 1): ImagePullFailed: ", isle.Message);
        Assert.Equal(1, isle.Generation);
        Assert.Equal([RolloutResult.Complete, RolloutResult.RolledBack], History.Select(r => r.Result));
        Assert.Equal("image", History[1].ChangeCause);
        var pulls = _h.Images.Pulls;

        await _h.AdvanceAsync(TimeSpan.FromMinutes(10)); // back-offs and resyncs: the pinned generation is not tried again
        Assert.Equal(pulls, _h.Images.Pulls);
        Assert.Equal(2, _h.Runtime.Incarnations("app"));

        _h.Images.Publish("localhost:5000/app:3");
        _h.Write("app.yaml", Yaml("localhost:5000/app:3"));
        await _h.SyncAsync();
        Assert.Equal(RolloutResult.Progressing, History[^1].Result);
        await _h.AdvanceAsync(TimeSpan.FromSeconds(11)); // no healthcheck: 10 s running (minHealthyTime) makes it good
        Assert.Equal(RolloutResult.Complete, History[^1].Result);
        Assert.Null(_h.Isle("app").Reason);
        Assert.Equal(3, _h.Isle("app").Generation);
        Assert.Contains(_h.Events.Recent(), e => e.Name == "app" && e.Reason == Reasons.RolloutComplete && e.Message == "revision 3 (generation 3) ran 10s without exiting");
    }

    [Fact]
    public async Task CrashLoop_WithRollbackOff_RecordedFailedAndLeftAsItIs()
    {
        _h.Images.Add("busybox:latest");
        _h.Write("app.yaml", Yaml("busybox:latest", "{healthTimeout: 20s, rollback: false}"));
        await _h.SyncAsync();

        _h.Write("app.yaml", Yaml("busybox:latest", "{healthTimeout: 20s, rollback: false}", "/bin/crash"));
        await _h.SyncAsync();
        for (int i = 0; i < 30; i++)
        {
            if (_h.Runtime.Probe("app").State == Ports.IsleProcessState.Running) _h.Runtime.Exit("app", 1);
            await _h.AdvanceAsync(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(RolloutResult.Failed, History[^1].Result);
        Assert.Equal(Reasons.CrashLoopBackOff, History[^1].Reason);
        Assert.Equal(["/bin/crash"], _h.Runtime.PlanOf("app")!.Spec.Command); // not rolled back
        Assert.Contains(_h.Events.Recent(), e => e.Name == "app" && e.Reason == Reasons.RolloutFailed);
        Assert.DoesNotContain(_h.Events.Recent(), e => e.Name == "app" && e.Reason == Reasons.RolledBack);
    }

    [Fact]
    public async Task LiveEditDuringARollout_CarriesItOn_AnotherEditSupersedesIt()
    {
        _h.Images.Add("busybox:latest");
        _h.Write("app.yaml", Yaml("busybox:latest"));
        await _h.SyncAsync();
        _h.Write("app.yaml", Yaml("busybox:latest", command: "/bin/v2"));
        await _h.SyncAsync();
        Assert.Equal(RolloutResult.Progressing, History[^1].Result);

        _h.Write("app.yaml", Yaml("busybox:latest", "{healthTimeout: 90s}", "/bin/v2")); // update is live: same rollout, new deadline
        await _h.SyncAsync();
        Assert.Equal(2, History.Count);
        Assert.Equal(3, History[^1].Generation);
        Assert.Equal(History[^1].StartedAt + TimeSpan.FromSeconds(90), History[^1].Deadline);

        _h.Write("app.yaml", Yaml("busybox:latest", "{healthTimeout: 90s}", "/bin/v3")); // a restart: a new rollout, still back to revision 1
        await _h.SyncAsync();
        Assert.Equal([RolloutResult.Complete, RolloutResult.Superseded, RolloutResult.Progressing], History.Select(r => r.Result));
        Assert.Equal(1, History[^1].PreviousRevision);
        Assert.Contains("/bin/app", History[^1].PreviousSpecJson);
    }
}
