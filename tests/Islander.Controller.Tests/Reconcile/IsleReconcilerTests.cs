using Islander.Controller.Desired;
using Islander.Controller.Lifecycle;
using Islander.Controller.Ports;
using Islander.Model;

namespace Islander.Controller.Tests.Reconcile;

public sealed class IsleReconcilerTests : IDisposable
{
    readonly ControllerHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task Reconcile_NewManifest_IsleRunning()
    {
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web"));

        await _h.SyncAsync();

        Assert.Equal(IslePhase.Running, _h.StateOf("web"));
        Assert.True(_h.Runtime.IsRunning("web"));
        Assert.Equal(_h.Runtime.Probe("web").Pid, _h.Isle("web").Pid);
        Assert.Equal(1, _h.Isle("web").Generation);
        Assert.Contains(_h.Events.Recent(), e => e.Name == "web" && e.Reason == "Started");
    }

    /// <summary>
    /// A steady resync (the manifests rescanned, unchanged, then a pass for every key) writes nothing to the state
    /// database: no commit, and no sync of its log, which costs milliseconds on a disk and runs at every resync.
    /// </summary>
    [Fact]
    public async Task Resync_InSync_NoCommitAndNoSyncOfTheStateDatabase()
    {
        for (int i = 0; i < 3; i++) _h.Write($"web-{i}.yaml", ControllerHarness.IsleYaml($"web-{i}"));
        await _h.SyncAsync();
        Assert.All(Enumerable.Range(0, 3), i => Assert.Equal(IslePhase.Running, _h.StateOf($"web-{i}")));
        long commits = _h.Store.Commits, syncs = _h.Store.Syncs;

        _h.Loop.EnqueueAll();
        await _h.SyncAsync();

        Assert.Equal(commits, _h.Store.Commits);
        Assert.Equal(syncs, _h.Store.Syncs);
    }

    [Fact]
    public async Task Reconcile_NewManifest_StartsInTwoCommits_ItsRevisionGoesWithTheFirst()
    {
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web"));
        _h.Source.Scan(); // the desired object's own commit
        _h.Store.FlushEvents(); // and the scan's events, which the pass would write at its end
        var commits = _h.Store.Commits;

        await _h.SettleAsync();

        Assert.Equal(IslePhase.Running, _h.StateOf("web"));
        // Each commit is an fsync the pass waits for: the record saved as Creating (with its event and the isle's first
        // revision), then as Running.
        Assert.Equal(2, _h.Store.Commits - commits);
        var revision = Assert.Single(_h.Store.Rollouts("web"));
        Assert.Equal((1, "created"), (revision.Generation, revision.ChangeCause));
    }

    [Fact]
    public async Task Reconcile_InSync_DoesNothing()
    {
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web"));
        await _h.SyncAsync();
        var events = _h.Events.Recent().Count;

        _h.Loop.EnqueueAll();
        await _h.SyncAsync();
        await _h.AdvanceAsync(TimeSpan.FromMinutes(5));

        Assert.Equal(1, _h.Runtime.Incarnations("web"));
        Assert.Equal(events, _h.Events.Recent().Count);
    }

    [Fact]
    public async Task Reconcile_SpecChanged_Recreates()
    {
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web"));
        await _h.SyncAsync();

        _h.Write("web.yaml", ControllerHarness.IsleYaml("web", command: "httpd"));
        await _h.SyncAsync();

        Assert.Equal(IslePhase.Running, _h.StateOf("web"));
        Assert.Equal(2, _h.Runtime.Incarnations("web"));
        Assert.Equal(["/bin/httpd"], _h.Runtime.SpecOf("web")!.Command);
        Assert.Equal(2, _h.Isle("web").Generation);
        Assert.Contains(_h.Events.Recent(), e => e.Reason == "Restarting" && e.Message == "spec changed (generation 2): command (restart)");
    }

    [Fact]
    public async Task Reconcile_OnlyLabelsChanged_KeepsIsle()
    {
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web"));
        await _h.SyncAsync();

        _h.Write("web.yaml", ControllerHarness.IsleYaml("web").Replace("  name: web", "  name: web\n  labels: {tier: front}"));
        await _h.SyncAsync();

        Assert.Equal(1, _h.Runtime.Incarnations("web"));
        Assert.Equal("front", _h.Desired.Get(ObjectKey.Isle("web"))!.Object!.Labels["tier"]);
    }

    [Fact]
    public async Task Reconcile_ManifestRemoved_Prunes()
    {
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web"));
        _h.Write("db.yaml", ControllerHarness.IsleYaml("db"));
        await _h.SyncAsync();

        _h.Remove("web.yaml");
        await _h.SyncAsync();

        Assert.Equal(IsleProcessState.NotFound, _h.Runtime.Probe("web").State);
        Assert.Null(_h.StateOf("web"));
        Assert.True(_h.Runtime.IsRunning("db"));
    }

    /// <summary>
    /// An isle deleted after it ended, before a pass saw the exit: the pass the deletion wakes records the exit first
    /// (its events say how it ended), then removes the isle with one commit, without a Deleting saved before it, since
    /// nothing of it runs.
    /// </summary>
    [Fact]
    public async Task Reconcile_EndedIsleDeletedBeforeItsExitWasSeen_RecordsTheExitThenRemovesItInOneCommit()
    {
        _h.Write("job.yaml", ControllerHarness.IsleYaml("job", restart: "Never"));
        await _h.SyncAsync();
        _h.Runtime.Exit("job", 3);
        _h.Remove("job.yaml");
        _h.Source.Scan(); // the desired object's own commit
        long commits = _h.Store.Commits;

        await _h.SettleAsync();

        Assert.Null(_h.StateOf("job"));
        Assert.Equal(IsleProcessState.NotFound, _h.Runtime.Probe("job").State);
        var events = _h.Events.Recent().Where(e => e.Name == "job").Select(e => (e.Reason, e.Message)).ToList();
        Assert.Equal([("Error", "exited with code 3"), ("Deleted", "no longer desired: stopped and removed")], events.SkipWhile(e => e.Reason != "Error"));
        // The exit's commit, then the Deleted one.
        Assert.Equal(2, _h.Store.Commits - commits);
    }

    /// <summary>
    /// A start does not wait for its Creating commit's fsync: the runtime starts the isle while that sync is held. The
    /// Running commit waits for it, so the record and the watchers see Creating, then Running, in that order.
    /// </summary>
    [Fact]
    public async Task Reconcile_Start_RunsBesideTheCreatingCommitsSync_TheRunningCommitWaitsForIt()
    {
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web"));
        _h.Source.Scan(); // the desired object's own commit, synced
        using var held = new ManualResetEventSlim();
        _h.Store.BeforeSync = () => held.Wait(TimeSpan.FromSeconds(30)); // every sync from now on, until released
        using var heard = _h.Events.Subscribe(history: false);
        var pass = Task.Run(() => _h.Loop.ProcessReadyAsync(TestContext.Current.CancellationToken));
        try
        {
            await ControllerHarness.EventuallyAsync(() => _h.Runtime.IsRunning("web"), "web started while its Creating commit's sync is held");
            Assert.NotEqual(IslePhase.Running, _h.StateOf("web")); // its Running commit waits for that sync
        }
        finally
        {
            held.Set();
        }
        await pass;

        Assert.Equal(IslePhase.Running, _h.StateOf("web"));
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(TimeSpan.FromSeconds(10));
        var reasons = new List<string>();
        await foreach (var e in heard.ReadAsync(cts.Token))
        {
            if (e.Name == "web") reasons.Add(e.Reason);
            if (reasons.Count == 2) break;
        }
        Assert.Equal(["Starting", "Started"], reasons);
    }

    [Fact]
    public async Task Reconcile_ManifestRemoved_ShowsDeletingWhileTheIsleTakesItsStopTimeout()
    {
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web"));
        await _h.SyncAsync();
        var stopped = new TaskCompletionSource();
        _h.Runtime.StopGate = _ => stopped.Task; // its PID 1 ignores SIGTERM: the stop waits out the timeout

        _h.Remove("web.yaml");
        _h.Source.Scan();
        var pass = _h.Loop.ProcessReadyAsync(TestContext.Current.CancellationToken);
        await ControllerHarness.EventuallyAsync(() => _h.StateOf("web") == IslePhase.Deleting, "web to show Deleting");

        Assert.True(_h.Runtime.IsRunning("web"));
        stopped.SetResult();
        await pass;
        await _h.SettleAsync();
        Assert.Null(_h.StateOf("web"));
        Assert.Equal(IsleProcessState.NotFound, _h.Runtime.Probe("web").State);
    }

    [Fact]
    public async Task Reconcile_SpecChanged_ShowsStoppingWhileTheOldVersionStops()
    {
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web"));
        await _h.SyncAsync();
        var stopped = new TaskCompletionSource();
        _h.Runtime.StopGate = _ => stopped.Task;

        _h.Write("web.yaml", ControllerHarness.IsleYaml("web", command: "true"));
        _h.Source.Scan();
        var pass = _h.Loop.ProcessReadyAsync(TestContext.Current.CancellationToken);
        await ControllerHarness.EventuallyAsync(() => _h.StateOf("web") == IslePhase.Stopping, "web to show Stopping");

        stopped.SetResult();
        await pass;
        await _h.SettleAsync();
        Assert.Equal(2, _h.Runtime.Incarnations("web"));
    }

    [Fact]
    public async Task Restart_Always_RestartsAtOnceThenAfterBackOff()
    {
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web", restart: "Always"));
        await _h.SyncAsync();

        _h.Runtime.Exit("web", 0);
        await _h.SettleAsync();
        Assert.Equal(IslePhase.Running, _h.StateOf("web")); // the first restart is immediate
        Assert.Equal(1, _h.Isle("web").RestartCount);

        _h.Runtime.Exit("web", 0);
        await _h.SettleAsync();
        Assert.Equal(IslePhase.BackOff, _h.StateOf("web"));
        Assert.Equal(0, _h.Isle("web").ExitCode);
        await _h.AdvanceAsync(TimeSpan.FromSeconds(9));
        Assert.Equal(IslePhase.BackOff, _h.StateOf("web"));
        await _h.AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(IslePhase.Running, _h.StateOf("web"));
        Assert.Equal(2, _h.Isle("web").RestartCount);
        Assert.Equal(3, _h.Runtime.Incarnations("web"));
    }

    [Fact]
    public async Task Restart_CrashLoop_BacksOffExponentially()
    {
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web", restart: "Always"));
        await _h.SyncAsync();

        _h.Runtime.Exit("web", 1);
        await _h.SettleAsync();
        Assert.Equal(IslePhase.Running, _h.StateOf("web")); // the first restart is immediate

        var delays = new List<double>();
        for (int i = 0; i < 3; i++)
        {
            _h.Runtime.Exit("web", 1);
            await _h.SettleAsync();
            var record = _h.Isle("web");
            Assert.Equal("CrashLoopBackOff", record.Reason);
            delays.Add((record.NextStartAt!.Value - _h.Time.GetUtcNow()).TotalSeconds);
            await _h.AdvanceAsync(record.NextStartAt.Value - _h.Time.GetUtcNow());
            Assert.Equal(IslePhase.Running, _h.StateOf("web"));
        }

        Assert.Equal([10, 20, 40], delays);
        Assert.Equal(4, _h.Isle("web").RestartCount);
    }

    [Theory]
    [InlineData("Never", 0, IslePhase.Succeeded)]
    [InlineData("Never", 2, IslePhase.Failed)]
    [InlineData("OnFailure", 0, IslePhase.Succeeded)]
    public async Task Restart_NoRestartPolicy_StaysEnded(string policy, int code, IslePhase expected)
    {
        _h.Write("job.yaml", ControllerHarness.IsleYaml("job", restart: policy));
        await _h.SyncAsync();

        _h.Runtime.Exit("job", code);
        await _h.SettleAsync();
        await _h.AdvanceAsync(TimeSpan.FromMinutes(10));

        Assert.Equal(expected, _h.StateOf("job"));
        Assert.Equal(code, _h.Isle("job").ExitCode);
        Assert.Equal(1, _h.Runtime.Incarnations("job"));
    }

    [Fact]
    public async Task Restart_OnFailureNonZero_Restarts()
    {
        _h.Write("job.yaml", ControllerHarness.IsleYaml("job", restart: "OnFailure"));
        await _h.SyncAsync();

        _h.Runtime.Exit("job", 1);
        await _h.SettleAsync();
        await _h.AdvanceAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(IslePhase.Running, _h.StateOf("job"));
        Assert.Equal(2, _h.Runtime.Incarnations("job"));
    }

    [Fact]
    public async Task DependsOn_DependencyNotRunning_WaitsThenStartsInOrder()
    {
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web", dependsOn: "db"));
        await _h.SyncAsync();
        Assert.Equal(IslePhase.Pending, _h.StateOf("web"));
        Assert.Equal("WaitingForDependencies", _h.Isle("web").Reason);
        Assert.Contains("db (not defined)", _h.Isle("web").Message);
        Assert.False(_h.Runtime.IsRunning("web"));

        _h.Write("db.yaml", ControllerHarness.IsleYaml("db"));
        await _h.SyncAsync();

        Assert.Equal(IslePhase.Running, _h.StateOf("db"));
        Assert.Equal(IslePhase.Running, _h.StateOf("web"));
        Assert.True(_h.Isle("db").Pid < _h.Isle("web").Pid, "db must start before web");
    }

    [Fact]
    public async Task DependsOn_Cycle_TerminalErrorRecordedOnce()
    {
        _h.Write("a.yaml", ControllerHarness.IsleYaml("a", dependsOn: "b"));
        _h.Write("b.yaml", ControllerHarness.IsleYaml("b", dependsOn: "a"));
        await _h.SyncAsync();
        _h.Loop.EnqueueAll();
        await _h.SettleAsync();

        Assert.Equal("DependencyCycle", _h.Isle("a").Reason);
        Assert.Contains("a -> b -> a", _h.Isle("a").Message);
        Assert.Single(_h.Events.Recent(), e => e.Name == "a" && e.Reason == "DependencyCycle");
        Assert.False(_h.Runtime.IsRunning("a"));
    }

    [Fact]
    public async Task Drift_ProcessKilled_NoticedAndRestartedWithoutResync()
    {
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web"));
        await _h.SyncAsync();

        _h.Runtime.Kill("web", 9);
        await _h.SettleAsync(); // no resync, no time passes: the exit watcher alone enqueues the isle

        Assert.Equal(IslePhase.Running, _h.StateOf("web"));
        Assert.Equal(1, _h.Isle("web").RestartCount);
        Assert.Equal(2, _h.Runtime.Incarnations("web"));
    }

    [Fact]
    public async Task Drift_CgroupRemoved_NoticedAsLost()
    {
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web", restart: "Never"));
        await _h.SyncAsync();

        _h.Runtime.Vanish("web");
        await _h.SettleAsync();

        Assert.Equal(IslePhase.Failed, _h.StateOf("web"));
        Assert.Equal("Lost", _h.Isle("web").Reason);
    }

    [Fact]
    public async Task DaemonRestart_RunningIsles_AdoptedWithoutRestart()
    {
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web"));
        _h.Write("db.yaml", ControllerHarness.IsleYaml("db"));
        await _h.SyncAsync();
        var pid = _h.Isle("web").Pid;

        _h.Restart();
        await _h.SyncAsync();

        Assert.Equal(IslePhase.Running, _h.StateOf("web"));
        Assert.Equal(pid, _h.Isle("web").Pid);
        Assert.Equal(1, _h.Runtime.Incarnations("web"));
        Assert.Equal(1, _h.Runtime.Incarnations("db"));
    }

    [Fact]
    public async Task DaemonRestart_IsleEndedMeanwhile_ExitCodeRecorded()
    {
        _h.Write("job.yaml", ControllerHarness.IsleYaml("job", restart: "Never"));
        await _h.SyncAsync();

        _h.Restart();
        _h.Runtime.Exit("job", 3); // while no daemon watches
        await _h.SettleAsync();

        Assert.Equal(IslePhase.Failed, _h.StateOf("job"));
        Assert.Equal(3, _h.Isle("job").ExitCode);
    }

    [Fact]
    public async Task DaemonRestart_CrashAfterRuntimeStartBeforeRecord_Adopts()
    {
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web"));
        _h.Source.Scan();
        // The daemon wrote the Pending record, the runtime started the isle, then the daemon died.
        _h.Store.SaveIsle(new State.IsleRecord { Name = "web", State = IslePhase.Creating });
        await _h.Runtime.StartAsync(IsleStartPlan.Of("web", _h.Desired.Get(ObjectKey.Isle("web"))!.Object!.Isle!), TestContext.Current.CancellationToken);

        _h.Restart();
        await _h.SyncAsync();

        Assert.Equal(IslePhase.Running, _h.StateOf("web"));
        Assert.Equal(1, _h.Runtime.Incarnations("web"));
    }

    [Fact]
    public async Task Reconcile_DeletingThenDesiredAgain_FinishesTheDeleteAndStartsAfresh()
    {
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web"));
        _h.Source.Scan();
        // The manifest went, its delete was interrupted (daemon restart) and the manifest came back.
        _h.Store.SaveIsle(new State.IsleRecord { Name = "web", State = IslePhase.Deleting, SpecHash = "old", RestartCount = 3 });
        var old = await _h.Runtime.StartAsync(IsleStartPlan.Of("web", _h.Desired.Get(ObjectKey.Isle("web"))!.Object!.Isle!), TestContext.Current.CancellationToken);

        _h.Restart();
        await _h.SyncAsync();

        Assert.Equal(IslePhase.Running, _h.StateOf("web"));
        Assert.NotEqual(old.Pid, _h.Runtime.Probe("web").Pid); // removed, then started anew: not adopted
        Assert.Equal(_h.Runtime.Probe("web").Pid, _h.Isle("web").Pid);
        Assert.Equal(0, _h.Isle("web").RestartCount);
        Assert.Equal(_h.Desired.Get(ObjectKey.Isle("web"))!.Object!.SpecHash, _h.Isle("web").SpecHash);
    }

    [Fact]
    public async Task BadManifest_InvalidField_LastGoodVersionKeepsRunning()
    {
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web"));
        await _h.SyncAsync();

        _h.Write("web.yaml", ControllerHarness.IsleYaml("web", extra: "  colour: blue"));
        await _h.SyncAsync();

        Assert.Equal(IslePhase.Running, _h.StateOf("web"));
        Assert.Equal(1, _h.Runtime.Incarnations("web"));
        var entry = _h.Desired.Get(ObjectKey.Isle("web"))!;
        Assert.Equal(1, entry.Generation);
        Assert.Contains(entry.Problems, p => p.Contains("web.yaml:") && p.Contains("colour"));
        Assert.Contains(_h.Events.Recent(), e => e.Name == "web" && e.Reason == "InvalidManifest" && e.Message.Contains("colour"));
    }

    [Fact]
    public async Task BadManifest_YamlSyntaxError_NothingPruned()
    {
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web"));
        await _h.SyncAsync();

        _h.Write("web.yaml", "kind: Isle\nmetadata: {name: web\nspec: [");
        await _h.SyncAsync();

        Assert.Equal(IslePhase.Running, _h.StateOf("web"));
        Assert.Equal(1, _h.Runtime.Incarnations("web"));
        Assert.NotEmpty(_h.Desired.Get(ObjectKey.Isle("web"))!.Problems);

        _h.Write("web.yaml", ControllerHarness.IsleYaml("web"));
        await _h.SyncAsync();
        Assert.Empty(_h.Desired.Get(ObjectKey.Isle("web"))!.Problems);
        Assert.Equal(1, _h.Runtime.Incarnations("web"));
    }

    [Fact]
    public async Task BadManifest_SurvivesDaemonRestart_LastGoodVersionStays()
    {
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web"));
        await _h.SyncAsync();
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web", extra: "  colour: blue"));
        await _h.SyncAsync();

        _h.Restart();
        await _h.SyncAsync();

        Assert.Equal(IslePhase.Running, _h.StateOf("web"));
        Assert.Equal(1, _h.Runtime.Incarnations("web"));
    }

    [Fact]
    public async Task DuplicateObject_TwoFiles_ErrorOnBothNeitherApplied()
    {
        _h.Write("a.yaml", ControllerHarness.IsleYaml("web"));
        _h.Write("b.yaml", ControllerHarness.IsleYaml("web", command: "httpd"));

        await _h.SyncAsync();

        Assert.Null(_h.StateOf("web"));
        var problem = Assert.Single(_h.Desired.Get(ObjectKey.Isle("web"))!.Problems);
        Assert.Contains("a.yaml", problem);
        Assert.Contains("b.yaml", problem);

        _h.Remove("b.yaml");
        await _h.SyncAsync();
        Assert.Equal(IslePhase.Running, _h.StateOf("web"));
    }

    [Fact]
    public async Task StartFails_Transient_BackOffThenRetries()
    {
        _h.Runtime.StartFault = (_, _) => new IslanderException("shim did not answer", ErrorCategory.Transient);
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web"));
        await _h.SyncAsync();
        Assert.Equal(IslePhase.BackOff, _h.StateOf("web"));

        _h.Runtime.StartFault = null;
        await _h.AdvanceAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(IslePhase.Running, _h.StateOf("web"));
    }

    [Fact]
    public async Task StartFails_Refused_ErrorUntilSpecChanges()
    {
        _h.Runtime.StartFault = (_, spec) => spec.Command[0] == "/bin/missing" ? new IslanderException("/bin/missing: not found", ErrorCategory.NotFound) : null;
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web", command: "missing"));
        await _h.SyncAsync();
        await _h.AdvanceAsync(TimeSpan.FromMinutes(10));
        Assert.Equal(IslePhase.Error, _h.StateOf("web"));
        Assert.Equal(0, _h.Runtime.Incarnations("web"));

        _h.Write("web.yaml", ControllerHarness.IsleYaml("web", command: "sleep"));
        await _h.SyncAsync();

        Assert.Equal(IslePhase.Running, _h.StateOf("web"));
    }

    [Fact]
    public async Task ApiObject_DeletedThroughApi_Pruned()
    {
        var obj = DesiredObject.ForIsle("api-isle", new IsleSpec { Rootfs = "/r", Command = ["/bin/sleep"] }, "api");
        Assert.Equal(ApplyOutcome.Created, _h.Desired.Apply(obj));
        Assert.Equal(ApplyOutcome.Unchanged, _h.Desired.Apply(obj));
        await _h.SyncAsync();
        Assert.Equal(IslePhase.Running, _h.StateOf("api-isle"));

        _h.Desired.Delete(ObjectKey.Isle("api-isle"));
        await _h.SettleAsync();

        Assert.Null(_h.StateOf("api-isle"));
        Assert.Empty(_h.Runtime.Names);
    }

    [Fact]
    public async Task MissingReference_UndefinedNetwork_HeldBackUntilDefined()
    {
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web", extra: "  networks: [{name: backend}]"));
        await _h.SyncAsync();
        Assert.Equal("MissingReference", _h.Isle("web").Reason);
        Assert.False(_h.Runtime.IsRunning("web"));

        _h.Write("net.yaml", "apiVersion: islander.io/v1\nkind: Network\nmetadata: {name: backend}\nspec: {subnet: 10.88.0.0/24}\n");
        await _h.SyncAsync();

        Assert.Equal(IslePhase.Running, _h.StateOf("web"));
    }

    [Fact]
    public async Task MissingReference_RunningIsleEditedToUndefinedVolume_OldVersionKeepsRunning()
    {
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web"));
        await _h.SyncAsync();

        _h.Write("web.yaml", ControllerHarness.IsleYaml("web", extra: "  volumes: [{name: data, mountPath: /data}]"));
        await _h.SyncAsync();

        Assert.Equal(IslePhase.Running, _h.StateOf("web"));
        Assert.Equal(1, _h.Runtime.Incarnations("web"));
        Assert.Equal("MissingReference", _h.Isle("web").Reason);
        Assert.Contains(_h.Events.Recent(), e => e.Reason == "MissingReference" && e.Message.Contains("volume data"));
    }

    [Fact]
    public async Task DependsOn_RunningIsleEditedIntoCycle_OldVersionKeepsRunning()
    {
        _h.Write("a.yaml", ControllerHarness.IsleYaml("a"));
        _h.Write("b.yaml", ControllerHarness.IsleYaml("b", dependsOn: "a"));
        await _h.SyncAsync();

        _h.Write("a.yaml", ControllerHarness.IsleYaml("a", dependsOn: "b"));
        await _h.SyncAsync();

        // The Model holds a back (a bad manifest never changes running state): not stopped for a recreate that cannot start.
        Assert.Equal(IslePhase.Running, _h.StateOf("a"));
        Assert.Equal(1, _h.Runtime.Incarnations("a"));
        Assert.Equal("DependencyCycle", _h.Isle("a").Reason);
        Assert.Contains("a -> b -> a", _h.Isle("a").Message);
        Assert.DoesNotContain(_h.Events.Recent(), e => e.Name == "a" && e.Reason == "Recreating");

        _h.Write("a.yaml", ControllerHarness.IsleYaml("a"));
        await _h.SyncAsync();
        Assert.Null(_h.Isle("a").Reason); // back to what runs: nothing holds it back any more
        Assert.Equal(1, _h.Runtime.Incarnations("a"));
    }

    [Fact]
    public async Task DependsOn_DependsOnIsleHeldBackByCycle_HeldBackWithReason()
    {
        _h.Write("a.yaml", ControllerHarness.IsleYaml("a", dependsOn: "b"));
        _h.Write("b.yaml", ControllerHarness.IsleYaml("b", dependsOn: "a"));
        _h.Write("c.yaml", ControllerHarness.IsleYaml("c", dependsOn: "a"));
        await _h.SyncAsync();

        Assert.False(_h.Runtime.IsRunning("c"));
        Assert.Equal("DependencyCycle", _h.Isle("c").Reason);
        Assert.Equal("depends on a, which is held back by a dependsOn cycle", _h.Isle("c").Message);
    }

    [Fact]
    public async Task DependsOn_RunningIsleEditedToUndefinedDependency_OldVersionKeepsRunning()
    {
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web"));
        await _h.SyncAsync();

        _h.Write("web.yaml", ControllerHarness.IsleYaml("web", dependsOn: "db"));
        await _h.SyncAsync();

        Assert.Equal(IslePhase.Running, _h.StateOf("web"));
        Assert.Equal(1, _h.Runtime.Incarnations("web"));
        Assert.Equal("WaitingForDependencies", _h.Isle("web").Reason);
        Assert.Contains("db (not defined)", _h.Isle("web").Message);

        _h.Write("db.yaml", ControllerHarness.IsleYaml("db"));
        await _h.SyncAsync();

        // dependsOn only orders starts: once db is defined the edit is taken in place (IsleSpecRules: live), web keeps running.
        Assert.Equal(IslePhase.Running, _h.StateOf("web"));
        Assert.Equal(1, _h.Runtime.Incarnations("web"));
        Assert.Null(_h.Isle("web").Reason);
        Assert.Contains(_h.Events.Recent(), e => e.Name == "web" && e.Reason == Reasons.SpecUpdated);
    }
}
