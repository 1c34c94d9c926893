using static Islander.Model.Tests.Reconcile.States;

namespace Islander.Model.Tests.Reconcile;

public class StateDiffTests
{
    private static readonly NetworkManifest Backend = Network("backend");
    private static readonly VolumeManifest Data = Volume("data");
    private static readonly IsleManifest Db = Isle("db", s => s.On("backend").Mounting("data"));
    private static readonly IsleManifest Web = Isle("web", s => s.On("backend").After("db") with { Ports = [new PortMapping(80, 8080)] });

    [Fact]
    public void Diff_EmptyDesiredAndActual_EmptyPlan() =>
        Assert.True(StateDiff.Diff(DesiredState.Empty, ActualState.Empty).IsEmpty);

    [Fact]
    public void Diff_InSync_DoesNothing()
    {
        Manifest[] all = [Backend, Data, Db, Web];

        var plan = StateDiff.Diff(Desired(all), InSync(all));

        Assert.Empty(plan.Actions);
        Assert.Empty(plan.Problems);
    }

    [Fact]
    public void Diff_NothingExists_CreatesNetworksAndVolumesThenIslesInDependsOnOrder()
    {
        var plan = StateDiff.Diff(Desired(Web, Db, Data, Backend), ActualState.Empty);

        Assert.Equal(
            ["+ create network backend", "+ create volume data", "+ start isle db (New)", "+ start isle web (New)"],
            plan.Lines());
        var start = Assert.IsType<StartIsle>(plan.Actions[3]);
        Assert.Equal(SpecHash.Of(Web.Spec), start.SpecHash);
        Assert.Same(Web.Spec, start.Spec);
    }

    [Fact]
    public void Diff_DependsOnChain_StartsDependenciesFirstRegardlessOfNames()
    {
        var a = Isle("a", s => s.After("b"));
        var b = Isle("b", s => s.After("c"));
        var c = Isle("c");
        var z = Isle("z");

        var plan = StateDiff.Diff(Desired(a, b, c, z), ActualState.Empty);

        Assert.Equal(["c", "b", "a", "z"], plan.Actions.Select(x => x.Target.Name));
    }

    [Fact]
    public void Diff_SpecChanged_RecreatesIsle()
    {
        var changed = Web with { Spec = Web.Spec with { Env = [new EnvVar("MODE", "debug")] } };

        var plan = StateDiff.Diff(Desired(Backend, Data, Db, changed), InSync(Backend, Data, Db, Web));

        var action = Assert.IsType<RecreateIsle>(Assert.Single(plan.Actions));
        Assert.Equal("web", action.Name);
        Assert.Equal(SpecHash.Of(changed.Spec), action.SpecHash);
    }

    [Fact]
    public void Diff_DiskLimitChanged_RecreatesIsle()
    {
        // A quota is set on a fresh writable layer: a new limit needs a new layer, so the isle is made again.
        var limited = Web with { Spec = Web.Spec with { Resources = new IsleResources { Disk = 1L << 30 } } };
        var bigger = Web with { Spec = Web.Spec with { Resources = new IsleResources { Disk = 2L << 30 } } };

        var plan = StateDiff.Diff(Desired(Backend, Data, Db, bigger), InSync(Backend, Data, Db, limited));

        Assert.Equal(["~ recreate isle web (spec changed)"], plan.Lines());
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Diff_StdinOrTtyChanged_RecreatesIsle(bool stdin, bool tty)
    {
        // PID 1's stdio is made when it starts (a PTY, a pipe): a change needs a new PID 1.
        var changed = Web with { Spec = Web.Spec with { Stdin = stdin, Tty = tty } };

        var plan = StateDiff.Diff(Desired(Backend, Data, Db, changed), InSync(Backend, Data, Db, Web));

        Assert.Equal(["~ recreate isle web (spec changed)"], plan.Lines());
    }

    [Fact]
    public void Diff_LabelsChanged_DoesNothing()
    {
        var relabelled = Web with { Metadata = Web.Metadata with { Labels = new Dictionary<string, string> { ["tier"] = "front" } } };

        Assert.True(StateDiff.Diff(Desired(Backend, Data, Db, relabelled), InSync(Backend, Data, Db, Web)).IsEmpty);
    }

    [Fact]
    public void Diff_ManifestRemoved_StopsAndDeletesIsle()
    {
        var plan = StateDiff.Diff(Desired(Backend, Data, Db), InSync(Backend, Data, Db, Web));

        Assert.Equal(["- stop isle web", "- delete isle web"], plan.Lines());
    }

    [Fact]
    public void Diff_RemovedIsleNotAlive_OnlyDeletes()
    {
        var actual = InSync(Backend).With(Running(Isle("old"), IslePhase.Failed, alive: false, exitCode: 1));

        Assert.Equal(["- delete isle old"], StateDiff.Diff(Desired(Backend), actual).Lines());
    }

    [Fact]
    public void Diff_EverythingRemoved_DeletesDependentsFirstThenNetworkAndDeleteVolume()
    {
        var data = Volume("data", ReclaimPolicy.Delete);
        var db = Isle("db", s => s.On("backend").Mounting("data"));

        var plan = StateDiff.Diff(DesiredState.Empty, InSync(Backend, data, db, Web));

        Assert.Equal(
            ["- stop isle web", "- delete isle web", "- stop isle db", "- delete isle db", "- delete network backend", "- delete volume data and its data (reclaimPolicy Delete)"],
            plan.Lines());
    }

    [Fact]
    public void Diff_RetainedVolumeRemoved_KeepsIt()
    {
        var plan = StateDiff.Diff(DesiredState.Empty, InSync(Volume("data", ReclaimPolicy.Retain)));

        Assert.True(plan.IsEmpty);
    }

    [Fact]
    public void Diff_NetworkRemovedButStillUsed_KeepsNetworkAndReportsProblem()
    {
        var plan = StateDiff.Diff(Desired(Data, Db), InSync(Backend, Data, Db));

        Assert.Empty(plan.Actions);
        Assert.Contains(plan.Problems, p => p.Object == new ObjectKey(ObjectKind.Isle, "db") && p.Message.Contains("network backend is not defined"));
        Assert.Contains(plan.Problems, p => p.Object == new ObjectKey(ObjectKind.Network, "backend") && p.Message.Contains("still uses it"));
    }

    [Fact]
    public void Diff_IsleMovesOffRemovedNetwork_DeletesNetworkAfterRecreate()
    {
        var front = Network("front", "10.89.0.0/24");
        var moved = Isle("web", s => s.On("front"));
        var before = Isle("web", s => s.On("backend"));

        var plan = StateDiff.Diff(Desired(front, moved), InSync(Backend, before));

        Assert.Equal(["+ create network front", "~ recreate isle web (spec changed)", "- delete network backend"], plan.Lines());
    }

    [Fact]
    public void Diff_NetworkSubnetChangedWhileUsed_WaitsAndLeavesIslesAlone()
    {
        var changed = Network("backend", "10.99.0.0/24");
        var other = Isle("other");

        var plan = StateDiff.Diff(Desired(changed, Data, Db, other), InSync(Backend, Data, Db, other));

        Assert.Empty(plan.Actions);
        var problem = Assert.Single(plan.Problems);
        Assert.Equal(new ObjectKey(ObjectKind.Network, "backend"), problem.Object);
        Assert.Equal("subnet 10.99.0.0/24 via 10.99.0.1 waits until no isle uses the network (db); islander does not renumber running isles", problem.Message);
    }

    [Fact]
    public void Diff_NetworkSubnetChangedAndItsOnlyIsleRemoved_RecreatesAfterTheIsleGoes()
    {
        var changed = Network("backend", "10.99.0.0/24");

        var plan = StateDiff.Diff(Desired(changed), InSync(Backend, Db));

        Assert.Equal(["- stop isle db", "- delete isle db", "~ recreate network backend (subnet 10.99.0.0/24 via 10.99.0.1)"], plan.Lines());
    }

    [Fact]
    public void Diff_NetworkSubnetChangedAndItsIsleMovesOff_RecreatesAfterTheIsle()
    {
        var changed = Network("backend", "10.99.0.0/24");
        var front = Network("front", "10.89.0.0/24");
        var moved = Isle("db", s => s.On("front"));

        var plan = StateDiff.Diff(Desired(changed, front, moved), InSync(Backend, Isle("db", s => s.On("backend"))));

        Assert.Equal(["+ create network front", "~ recreate isle db (spec changed)", "~ recreate network backend (subnet 10.99.0.0/24 via 10.99.0.1)"], plan.Lines());
    }

    [Fact]
    public void Diff_NetworkMasqueradeChangedWhileUsed_UpdatesInPlaceIslesUntouched()
    {
        var changed = new NetworkManifest(Backend.Metadata, Backend.Spec with { Masquerade = false }, Backend.Source);

        var plan = StateDiff.Diff(Desired(changed, Data, Db), InSync(Backend, Data, Db));

        Assert.Equal(["~ update network backend (masquerade off, internal off)"], plan.Lines());
        Assert.Empty(plan.Problems);
    }

    [Fact]
    public void Diff_VolumeReclaimPolicyChanged_UpdatesRecordOnly()
    {
        var plan = StateDiff.Diff(Desired(Volume("data", ReclaimPolicy.Delete)), InSync(Volume("data", ReclaimPolicy.Retain)));

        var update = Assert.IsType<UpdateVolume>(Assert.Single(plan.Actions));
        Assert.Equal(ReclaimPolicy.Delete, update.Spec.ReclaimPolicy);
    }

    [Fact]
    public void Diff_VolumeSizeChanged_UpdatesInPlace()
    {
        var small = Volume("data", driver: new VolumeDriverKind("btrfs"));
        var big = new VolumeManifest(small.Metadata, small.Spec with { Size = 2L << 30 }, small.Source);

        var plan = StateDiff.Diff(Desired(big), InSync(small));

        var update = Assert.IsType<UpdateVolume>(Assert.Single(plan.Actions));
        Assert.Equal(2L << 30, update.Spec.Size);
        Assert.Empty(plan.Problems);
    }

    [Fact]
    public void ForVolume_RemovedWithDeletePolicy_WaitsForItsUsersThenDeletes()
    {
        var actual = new ActualVolume("data", new VolumeSpec { ReclaimPolicy = ReclaimPolicy.Delete });

        var used = StateDiff.ForVolume("data", null, actual, ["web"]);
        var free = StateDiff.ForVolume("data", null, actual, []);

        Assert.Null(used.Action);
        Assert.Contains("isle web still uses it", used.Problem);
        Assert.IsType<DeleteVolume>(free.Action);
    }

    [Fact]
    public void ForVolume_RemovedWithRetainPolicy_DoesNothing()
    {
        var decision = StateDiff.ForVolume("data", null, new ActualVolume("data", new VolumeSpec()), []);

        Assert.Equal(VolumeDecision.Nothing, decision);
    }

    [Fact]
    public void Diff_VolumeDriverChanged_NoActionButProblem()
    {
        var plan = StateDiff.Diff(Desired(Volume("data", driver: new VolumeDriverKind("btrfs"))), InSync(Volume("data")));

        Assert.Empty(plan.Actions);
        Assert.Contains("does not destroy or migrate data", Assert.Single(plan.Problems).Message);
    }

    [Fact]
    public void Diff_DependsOnCycle_HoldsBackCycleAndDependentsButStartsOthers()
    {
        var a = Isle("a", s => s.After("b"));
        var b = Isle("b", s => s.After("a"));
        var c = Isle("c", s => s.After("a"));
        var d = Isle("d");

        var plan = StateDiff.Diff(Desired(a, b, c, d), ActualState.Empty);

        Assert.Equal(["+ start isle d (New)"], plan.Lines());
        Assert.Equal(
            ["Isle/a: dependsOn forms a cycle: a -> b -> a; remove one of these dependencies",
             "Isle/b: dependsOn forms a cycle: b -> a -> b; remove one of these dependencies",
             "Isle/c: depends on a, which is held back by a dependsOn cycle"],
            plan.Problems.Select(p => p.ToString()));
    }

    [Fact]
    public void Diff_DependsOnCycleAlreadyRunning_LeavesItRunning()
    {
        var a = Isle("a", s => s.After("b"));
        var b = Isle("b", s => s.After("a"));

        var plan = StateDiff.Diff(Desired(a, b), InSync(a, b));

        Assert.Empty(plan.Actions);
        Assert.Equal(2, plan.Problems.Count);
    }

    [Fact]
    public void Diff_UndefinedReferences_HoldBackIsle()
    {
        var isle = Isle("web", s => s.On("nowhere").Mounting("nothing").After("ghost"));

        var plan = StateDiff.Diff(Desired(isle), ActualState.Empty);

        Assert.Empty(plan.Actions);
        Assert.Equal(
            ["network nowhere is not defined; add a Network manifest named nowhere",
             "volume nothing is not defined; add a Volume manifest named nothing",
             "depends on isle ghost, which is not defined"],
            plan.Problems.Select(p => p.Message));
    }

    [Fact]
    public void Diff_StaticAddressClashes_HoldBackLaterIsle()
    {
        var a = Isle("a", s => s with { Networks = [new NetworkAttachment("backend", "10.88.0.10")] });
        var b = Isle("b", s => s with { Networks = [new NetworkAttachment("backend", "10.88.0.10")] });
        var c = Isle("c", s => s with { Networks = [new NetworkAttachment("backend", "10.99.0.10")] });
        var d = Isle("d", s => s with { Networks = [new NetworkAttachment("backend", "10.88.0.1")] });

        var plan = StateDiff.Diff(Desired(Backend, a, b, c, d), ActualState.Empty);

        Assert.Equal(["network", "a"], plan.Actions.Select(x => x is CreateNetwork ? "network" : x.Target.Name));
        Assert.Equal(
            ["Isle/b: ip 10.88.0.10 on network backend is already taken by isle a",
             "Isle/c: ip 10.99.0.10 on network backend is outside the subnet 10.88.0.0/24",
             "Isle/d: ip 10.88.0.1 on network backend is the network's gateway"],
            plan.Problems.Select(p => p.ToString()));
    }

    [Fact]
    public void Diff_HostPortPublishedTwice_HoldsBackLaterIsle()
    {
        var a = Isle("a", s => s.On("backend") with { Ports = [new PortMapping(80, 8080)] });
        var b = Isle("b", s => s.On("backend") with { Ports = [new PortMapping(81, 8080, HostIp: "127.0.0.1")] });
        var c = Isle("c", s => s.On("backend") with { Ports = [new PortMapping(81, 8080, PortProtocol.Udp)] });

        var plan = StateDiff.Diff(Desired(Backend, a, b, c), ActualState.Empty);

        Assert.Equal(["backend", "a", "c"], plan.Actions.Select(x => x.Target.Name));
        Assert.Equal("Isle/b: host port 8080/tcp is already published by isle a", Assert.Single(plan.Problems).ToString());
    }

    public static TheoryData<RestartPolicy, IslePhase, bool, int?, string?> Endings => new()
    {
        // policy, phase, alive, exit code, expected action (null: none)
        { RestartPolicy.Always, IslePhase.Succeeded, false, 0, "~ restart isle web (ended with code 0, restartPolicy Always)" },
        { RestartPolicy.Always, IslePhase.Failed, false, 137, "~ restart isle web (ended with code 137, restartPolicy Always)" },
        { RestartPolicy.OnFailure, IslePhase.Succeeded, false, 0, null },
        { RestartPolicy.OnFailure, IslePhase.Failed, false, 1, "~ restart isle web (ended with code 1, restartPolicy OnFailure)" },
        { RestartPolicy.Never, IslePhase.Succeeded, false, 0, null },
        { RestartPolicy.Never, IslePhase.Failed, false, 1, null },
        // Recorded as running but the process is gone (e.g. after a reboot): a failure with an unknown code.
        { RestartPolicy.Always, IslePhase.Running, false, null, "~ restart isle web (ended, restartPolicy Always)" },
        { RestartPolicy.OnFailure, IslePhase.Running, false, null, "~ restart isle web (ended, restartPolicy OnFailure)" },
        { RestartPolicy.Never, IslePhase.Running, false, null, null },
        { RestartPolicy.Always, IslePhase.Running, true, null, null },
        // Stopped by the user (islanderctl stop): no policy restarts it, whatever the exit.
        { RestartPolicy.Always, IslePhase.Stopped, false, 143, null },
        { RestartPolicy.OnFailure, IslePhase.Stopped, false, 137, null },
        { RestartPolicy.Always, IslePhase.Stopped, false, 0, null },
        // Paused: alive, only frozen: nothing to do; gone while paused (killed, a reboot): ended like a running one.
        { RestartPolicy.Always, IslePhase.Paused, true, null, null },
        { RestartPolicy.Never, IslePhase.Paused, true, null, null },
        { RestartPolicy.Always, IslePhase.Paused, false, null, "~ restart isle web (ended, restartPolicy Always)" },
        { RestartPolicy.Never, IslePhase.Paused, false, null, null },
        // Half-made: finish it, whatever the policy.
        { RestartPolicy.Never, IslePhase.Pending, false, null, "+ start isle web (Resume)" },
        { RestartPolicy.Never, IslePhase.Creating, true, null, "+ start isle web (Resume)" },
        // Backing off (a restart due, or a creation that may pass): start once the controller's delay is over.
        { RestartPolicy.Always, IslePhase.BackOff, false, 1, "+ start isle web (AfterBackOff)" },
        { RestartPolicy.Never, IslePhase.BackOff, false, null, "+ start isle web (AfterBackOff)" },
        // The runtime refused this spec: nothing until the spec changes (Docker does not restart a failed start).
        { RestartPolicy.Always, IslePhase.Error, false, null, null },
    };

    [Theory]
    [MemberData(nameof(Endings))]
    public void Diff_IslePhaseAndRestartPolicy_RestartsOnlyWhenDue(RestartPolicy policy, IslePhase phase, bool alive, int? exitCode, string? expected)
    {
        var web = Isle("web", s => s with { RestartPolicy = policy });

        var plan = StateDiff.Diff(Desired(web), ActualState.Empty.With(Running(web, phase, alive, exitCode)));

        Assert.Equal(expected is null ? [] : [expected], plan.Lines());
    }

    [Fact]
    public void Diff_RestartDue_CarriesSpecAndFacts()
    {
        var web = Isle("web", s => s with { RestartPolicy = RestartPolicy.OnFailure });

        var plan = StateDiff.Diff(Desired(web), ActualState.Empty.With(Running(web, IslePhase.Failed, false, 2)));

        Assert.Equal(new RestartIsle("web", web.Spec, SpecHash.Of(web.Spec), RestartPolicy.OnFailure, 2), Assert.Single(plan.Actions));
    }

    [Fact]
    public void Diff_StoppedByUserAndSpecChanged_Recreates()
    {
        var web = Isle("web");
        var changed = Isle("web", s => s with { Command = ["/bin/true"] });

        var plan = StateDiff.Diff(Desired(changed), ActualState.Empty.With(Running(web, IslePhase.Stopped, false, 143)));

        Assert.Equal("web", Assert.IsType<RecreateIsle>(Assert.Single(plan.Actions)).Target.Name);
    }

    [Fact]
    public void Diff_ErrorAndSpecChanged_Recreates()
    {
        var web = Isle("web");
        var changed = Isle("web", s => s with { Command = ["/bin/true"] });

        var plan = StateDiff.Diff(Desired(changed), ActualState.Empty.With(Running(web, IslePhase.Error, alive: false)));

        Assert.Equal(["~ recreate isle web (spec changed)"], plan.Lines());
    }

    [Fact]
    public void ForIsle_InSync_Nothing()
    {
        var web = Isle("web");

        var decision = StateDiff.ForIsle("web", web.Spec, SpecHash.Of(web.Spec), Running(web), []);

        Assert.Same(IsleDecision.Nothing, decision);
        Assert.Null(decision.HeldBack);
    }

    [Fact]
    public void ForIsle_NothingExists_StartsAndWaitsForDependencies()
    {
        var web = Isle("web", s => s.After("db"));

        var decision = StateDiff.ForIsle("web", web.Spec, SpecHash.Of(web.Spec), null, []);

        Assert.Equal(new StartIsle("web", web.Spec, SpecHash.Of(web.Spec), StartReason.New), decision.Action);
        Assert.True(decision.WaitsForDependencies);
    }

    [Theory]
    [InlineData(IslePhase.Creating, StartReason.Resume)]
    [InlineData(IslePhase.BackOff, StartReason.AfterBackOff)]
    public void ForIsle_ResumeOrAfterBackOff_DoesNotWaitForDependencies(IslePhase phase, StartReason reason)
    {
        var web = Isle("web", s => s.After("db"));

        var decision = StateDiff.ForIsle("web", web.Spec, SpecHash.Of(web.Spec), Running(web, phase, alive: false), []);

        Assert.Equal(reason, Assert.IsType<StartIsle>(decision.Action).Reason);
        Assert.False(decision.WaitsForDependencies);
    }

    [Fact]
    public void ForIsle_SpecChangedWithProblems_HeldBackNamesTheRecreate()
    {
        var web = Isle("web");
        var changed = Isle("web", s => s.On("nowhere"));

        var decision = StateDiff.ForIsle("web", changed.Spec, SpecHash.Of(changed.Spec), Running(web), ["network nowhere is not defined"]);

        Assert.Null(decision.Action);
        Assert.IsType<RecreateIsle>(decision.HeldBack);
        Assert.Equal(["network nowhere is not defined"], decision.Problems);
    }

    [Fact]
    public void ForIsle_InSyncWithProblems_NothingHeldBack()
    {
        var web = Isle("web", s => s.On("gone"));

        var decision = StateDiff.ForIsle("web", web.Spec, SpecHash.Of(web.Spec), Running(web), ["network gone is not defined"]);

        Assert.Null(decision.Action);
        Assert.Null(decision.HeldBack);
    }

    [Theory]
    [InlineData(RestartPolicy.Always, IslePhase.Succeeded, true)]
    [InlineData(RestartPolicy.Always, IslePhase.Failed, true)]
    [InlineData(RestartPolicy.OnFailure, IslePhase.Succeeded, false)]
    [InlineData(RestartPolicy.OnFailure, IslePhase.Failed, true)]
    [InlineData(RestartPolicy.Never, IslePhase.Succeeded, false)]
    [InlineData(RestartPolicy.Never, IslePhase.Failed, false)]
    public void RestartDue_PolicyAndEnding(RestartPolicy policy, IslePhase ended, bool expected) =>
        Assert.Equal(expected, StateDiff.RestartDue(policy, ended));

    [Fact]
    public void DesiredStateCheck_MissingReferences_PerIsleThroughLookups()
    {
        var spec = Isle("web", s => s.On("backend", "nowhere").Mounting("data", "nothing").After("db", "ghost")).Spec;

        Assert.Equal(
            ["network nowhere is not defined; add a Network manifest named nowhere",
             "volume nothing is not defined; add a Volume manifest named nothing"],
            DesiredStateCheck.MissingReferences(spec, n => n == "backend", v => v == "data"));
        Assert.Equal(["depends on isle ghost, which is not defined"], DesiredStateCheck.MissingDependencies(spec, i => i == "db"));
    }

    [Fact]
    public void Diff_SameInputs_SamePlan()
    {
        var desired = Desired(Web, Db, Data, Backend, Isle("x", s => s.After("web")));

        Assert.Equal(StateDiff.Diff(desired, ActualState.Empty).ToString(), StateDiff.Diff(desired, ActualState.Empty).ToString());
    }

    [Fact]
    public void DesiredStateFrom_DuplicateKey_ThrowsConflict()
    {
        var e = Assert.Throws<IslanderException>(() => DesiredState.From([Isle("web"), Isle("web")]));

        Assert.Equal(ErrorCategory.Conflict, e.Category);
    }
}
