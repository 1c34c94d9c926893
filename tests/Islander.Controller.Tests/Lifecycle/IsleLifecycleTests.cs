using Islander.Controller.Lifecycle;
using Islander.Controller.Ports;
using Islander.Controller.Runtime;
using Islander.Controller.State;
using Islander.Drivers.Runtime;
using Islander.Model;
using Islander.Testing.Fakes;
using Microsoft.Extensions.Time.Testing;
using Stateless.Graph;

namespace Islander.Controller.Tests.Lifecycle;

public sealed class IsleLifecycleTests : IDisposable
{
    static readonly IsleSpec Spec = new() { Rootfs = "/srv/rootfs", Command = ["/bin/sleep", "1000"] };
    static readonly StartRequest Request = new(Spec, "hash-1", 1);
    static readonly IsleHandle Handle = new(1234, 1233, DateTimeOffset.UnixEpoch);
    static readonly IsleProblem Problem = new("StartFailed", "EAGAIN");

    readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
    readonly FakeIsleRuntime _runtime;

    readonly ControllerHarness _h; // the start planner the daemon composes, over the same fake runtime

    public IsleLifecycleTests()
    {
        _runtime = new FakeIsleRuntime(_time);
        _h = new ControllerHarness(_time, _runtime);
    }

    public void Dispose() => _h.Dispose();

    IsleLifecycle Lifecycle(IslePhase state, RestartPolicy policy = RestartPolicy.Always) =>
        new(new IsleRecord { Name = "web", State = state, RestartPolicy = policy, SpecHash = "hash-1" }, _runtime, _h.Planner, _time, new RestartBackoff());

    /// <summary>Every allowed (from, trigger, argument) and where it leads; runc's testTransitions style.</summary>
    public static TheoryData<IslePhase, IsleTrigger, string, IslePhase> Allowed() => new()
    {
        { IslePhase.Pending, IsleTrigger.Start, "", IslePhase.Creating },
        { IslePhase.Pending, IsleTrigger.Stop, "", IslePhase.Stopped },
        { IslePhase.Pending, IsleTrigger.Delete, "", IslePhase.Deleting },
        { IslePhase.Creating, IsleTrigger.Start, "", IslePhase.Creating },
        { IslePhase.Creating, IsleTrigger.Started, "", IslePhase.Running },
        { IslePhase.Creating, IsleTrigger.StartFailed, "", IslePhase.BackOff },
        { IslePhase.Creating, IsleTrigger.StartRejected, "", IslePhase.Error },
        { IslePhase.Creating, IsleTrigger.Stop, "", IslePhase.Stopping },
        { IslePhase.Creating, IsleTrigger.Delete, "", IslePhase.Deleting },
        { IslePhase.Running, IsleTrigger.Exited, "Always:0", IslePhase.BackOff },
        { IslePhase.Running, IsleTrigger.Exited, "Always:1", IslePhase.BackOff },
        { IslePhase.Running, IsleTrigger.Exited, "OnFailure:0", IslePhase.Succeeded },
        { IslePhase.Running, IsleTrigger.Exited, "OnFailure:1", IslePhase.BackOff },
        { IslePhase.Running, IsleTrigger.Exited, "OnFailure:kill", IslePhase.BackOff },
        { IslePhase.Running, IsleTrigger.Exited, "Never:0", IslePhase.Succeeded },
        { IslePhase.Running, IsleTrigger.Exited, "Never:1", IslePhase.Failed },
        { IslePhase.Running, IsleTrigger.Exited, "Never:kill", IslePhase.Failed },
        { IslePhase.Running, IsleTrigger.Stop, "", IslePhase.Stopping },
        { IslePhase.Running, IsleTrigger.Delete, "", IslePhase.Deleting },
        { IslePhase.Running, IsleTrigger.Pause, "", IslePhase.Paused },
        { IslePhase.Paused, IsleTrigger.Unpause, "", IslePhase.Running },
        { IslePhase.Paused, IsleTrigger.Exited, "Always:0", IslePhase.BackOff },
        { IslePhase.Paused, IsleTrigger.Exited, "OnFailure:kill", IslePhase.BackOff },
        { IslePhase.Paused, IsleTrigger.Exited, "Never:0", IslePhase.Succeeded },
        { IslePhase.Paused, IsleTrigger.Exited, "Never:kill", IslePhase.Failed },
        { IslePhase.Paused, IsleTrigger.Stop, "", IslePhase.Stopping },
        { IslePhase.Paused, IsleTrigger.Delete, "", IslePhase.Deleting },
        { IslePhase.Succeeded, IsleTrigger.Start, "", IslePhase.Creating },
        { IslePhase.Succeeded, IsleTrigger.Delete, "", IslePhase.Deleting },
        { IslePhase.Failed, IsleTrigger.Start, "", IslePhase.Creating },
        { IslePhase.Failed, IsleTrigger.Delete, "", IslePhase.Deleting },
        { IslePhase.BackOff, IsleTrigger.Start, "elapsed", IslePhase.Creating },
        { IslePhase.BackOff, IsleTrigger.Stop, "", IslePhase.Stopped },
        { IslePhase.BackOff, IsleTrigger.Delete, "", IslePhase.Deleting },
        { IslePhase.Stopping, IsleTrigger.Stop, "", IslePhase.Stopping },
        { IslePhase.Stopping, IsleTrigger.Stopped, "", IslePhase.Stopped },
        { IslePhase.Stopping, IsleTrigger.Exited, "Always:0", IslePhase.Stopped },
        { IslePhase.Stopping, IsleTrigger.Delete, "", IslePhase.Deleting },
        { IslePhase.Stopped, IsleTrigger.Start, "", IslePhase.Creating },
        { IslePhase.Stopped, IsleTrigger.Delete, "", IslePhase.Deleting },
        { IslePhase.Error, IsleTrigger.Start, "", IslePhase.Creating },
        { IslePhase.Error, IsleTrigger.Delete, "", IslePhase.Deleting },
        { IslePhase.Deleting, IsleTrigger.Delete, "", IslePhase.Deleting },
        { IslePhase.Deleting, IsleTrigger.Deleted, "", IslePhase.Pending },
    };

    public static TheoryData<IslePhase, IsleTrigger> Forbidden()
    {
        var allowed = Allowed().Select(row => (row.Data.Item1, row.Data.Item2)).ToHashSet();
        var data = new TheoryData<IslePhase, IsleTrigger>();
        foreach (var state in Enum.GetValues<IslePhase>())
            foreach (var trigger in Enum.GetValues<IsleTrigger>())
                if (!allowed.Contains((state, trigger))) data.Add(state, trigger);
        return data;
    }

    [Theory]
    [MemberData(nameof(Allowed))]
    public async Task Fire_AllowedTransition_ReachesState(IslePhase from, IsleTrigger trigger, string variant, IslePhase to)
    {
        var policy = variant.Contains(':') ? Enum.Parse<RestartPolicy>(variant.Split(':')[0]) : RestartPolicy.Always;
        var lifecycle = Lifecycle(from, policy);
        if (variant == "elapsed") lifecycle.Record.NextStartAt = _time.GetUtcNow();

        await lifecycle.FireAsync(trigger, Argument(trigger, variant));

        Assert.Equal(to, lifecycle.State);
    }

    [Theory]
    [MemberData(nameof(Forbidden))]
    public async Task Fire_ForbiddenTransition_ThrowsAndKeepsState(IslePhase from, IsleTrigger trigger)
    {
        var lifecycle = Lifecycle(from);

        await Assert.ThrowsAsync<InvalidOperationException>(() => lifecycle.FireAsync(trigger, Argument(trigger, "Always:0")));

        Assert.Equal(from, lifecycle.State);
    }

    [Fact]
    public async Task Start_BackOffNotElapsed_IsForbidden()
    {
        var lifecycle = Lifecycle(IslePhase.BackOff);
        lifecycle.Record.NextStartAt = _time.GetUtcNow().AddSeconds(1);

        Assert.False(lifecycle.CanStart(Request));
        await Assert.ThrowsAsync<InvalidOperationException>(() => lifecycle.StartAsync(Request, TestContext.Current.CancellationToken));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(lifecycle.CanStart(Request));
    }

    [Fact]
    public async Task StartAsync_RuntimeStarts_RunningWithPid()
    {
        var lifecycle = Lifecycle(IslePhase.Pending);

        await lifecycle.StartAsync(Request, TestContext.Current.CancellationToken);

        Assert.Equal(IslePhase.Running, lifecycle.State);
        Assert.Equal(_runtime.Probe("web").Pid, lifecycle.Record.Pid);
        Assert.True(_runtime.IsRunning("web"));
    }

    [Fact]
    public async Task StartAsync_TransientFailure_BackOffWithDelay()
    {
        _runtime.StartFault = (_, _) => new IslanderException("shim did not answer", ErrorCategory.Transient);
        var lifecycle = Lifecycle(IslePhase.Pending);

        await lifecycle.StartAsync(Request, TestContext.Current.CancellationToken);

        Assert.Equal(IslePhase.BackOff, lifecycle.State);
        Assert.Equal("StartFailed", lifecycle.Record.Reason);
        Assert.Equal(_time.GetUtcNow(), lifecycle.Record.NextStartAt); // the first retry is at once
    }

    [Fact]
    public async Task StartAsync_RuntimeRefusesSpec_Error()
    {
        _runtime.StartFault = (_, _) => new IslanderException("rootfs /srv/rootfs: no such directory", ErrorCategory.NotFound);
        var lifecycle = Lifecycle(IslePhase.Pending);

        await lifecycle.StartAsync(Request, TestContext.Current.CancellationToken);

        Assert.Equal(IslePhase.Error, lifecycle.State);
        Assert.Equal("StartError", lifecycle.Record.Reason);
        Assert.Contains("no such directory", lifecycle.Record.Message);
    }

    [Fact]
    public async Task StartAsync_DiskLimitUnsupportedHere_ErrorNotBackOff()
    {
        // What IsleRuntime throws for resources.disk on a state directory without project quotas: retrying cannot help.
        _runtime.StartFault = (_, _) => new IslanderException(
            "resources.disk needs the state directory on XFS mounted with prjquota, ...; /var/lib/islander is on ext4: project quotas are off", ErrorCategory.Unsupported);
        var lifecycle = Lifecycle(IslePhase.Pending);

        await lifecycle.StartAsync(Request, TestContext.Current.CancellationToken);

        Assert.Equal(IslePhase.Error, lifecycle.State);
        Assert.Equal("StartError", lifecycle.Record.Reason);
        Assert.Null(lifecycle.Record.NextStartAt);
        Assert.StartsWith("resources.disk needs", lifecycle.Record.Message);
    }

    [Theory]
    [InlineData(true, "CommandNotFound")]
    [InlineData(false, "CommandNotExecutable")]
    public async Task StartAsync_CommandCannotBeExecuted_ErrorWithItsOwnReason(bool notFound, string reason)
    {
        _runtime.StartFault = (_, _) => new IsleCommandException("start isle: execve /bin/nope: ENOENT (No such file or directory)", notFound);
        var lifecycle = Lifecycle(IslePhase.Pending);

        await lifecycle.StartAsync(Request, TestContext.Current.CancellationToken);

        Assert.Equal(IslePhase.Error, lifecycle.State);
        Assert.Equal(reason, lifecycle.Record.Reason);
        Assert.Contains("execve /bin/nope", lifecycle.Record.Message);
    }

    // isle-init's "chdir" failure as the runtime adapter classifies it: a working directory that is a file or a magic
    // link (workingDir: /proc/self/fd/5 fails ELOOP) is the spec's, kept in Error; it was retried with back-off forever.
    [Theory]
    [InlineData(40, IslePhase.Error, "WorkingDirInvalid")] // ELOOP
    [InlineData(20, IslePhase.Error, "WorkingDirInvalid")] // ENOTDIR
    [InlineData(18, IslePhase.Error, "WorkingDirInvalid")] // EXDEV: outside the root after chdir
    [InlineData(11, IslePhase.BackOff, "StartFailed")] // EAGAIN: may pass next time
    public async Task StartAsync_WorkingDirCannotBeEntered_ErrorUnlessTransient(int errno, IslePhase expected, string reason)
    {
        var failure = new IsleStartException("chdir", "/proc/self/fd/5", errno);
        _runtime.StartFault = (_, _) => IsleRuntimeAdapter.Terminal(failure) ?? failure;
        var lifecycle = Lifecycle(IslePhase.Pending);

        await lifecycle.StartAsync(Request, TestContext.Current.CancellationToken);

        Assert.Equal((expected, reason), (lifecycle.State, lifecycle.Record.Reason));
        Assert.Contains("chdir /proc/self/fd/5", lifecycle.Record.Message);
    }

    [Fact]
    public void Terminal_OtherSteps_AreLeftToTheirCategory()
    {
        Assert.Null(IsleRuntimeAdapter.Terminal(new IsleStartException("mount", "/srv/rootfs/proc", 40)));
        Assert.IsType<IsleCommandException>(IsleRuntimeAdapter.Terminal(new IsleStartException("execve", "/bin/nope", 2)));
    }

    [Theory]
    [InlineData(RestartPolicy.Always, 0, IslePhase.BackOff, "Completed")]
    [InlineData(RestartPolicy.Always, 3, IslePhase.BackOff, "CrashLoopBackOff")]
    [InlineData(RestartPolicy.OnFailure, 0, IslePhase.Succeeded, "Completed")]
    [InlineData(RestartPolicy.OnFailure, 3, IslePhase.BackOff, "CrashLoopBackOff")]
    [InlineData(RestartPolicy.Never, 0, IslePhase.Succeeded, "Completed")]
    [InlineData(RestartPolicy.Never, 3, IslePhase.Failed, "Error")]
    public async Task ObserveExit_RestartPolicy_DecidesState(RestartPolicy policy, int code, IslePhase expected, string reason)
    {
        var lifecycle = Lifecycle(IslePhase.Pending, policy);
        await lifecycle.StartAsync(Request with { Spec = Spec with { RestartPolicy = policy } }, TestContext.Current.CancellationToken);

        await lifecycle.ObserveExitAsync(new IsleExit(code, null, false, _time.GetUtcNow()));

        Assert.Equal(expected, lifecycle.State);
        Assert.Equal(code, lifecycle.Record.ExitCode);
        Assert.Equal(reason, lifecycle.Record.Reason);
    }

    [Fact]
    public async Task ObserveExit_OomKilled_ReasonOOMKilledExitCode137()
    {
        var lifecycle = Lifecycle(IslePhase.Pending, RestartPolicy.Never);
        await lifecycle.StartAsync(Request with { Spec = Spec with { RestartPolicy = RestartPolicy.Never } }, TestContext.Current.CancellationToken);

        await lifecycle.ObserveExitAsync(new IsleExit(null, 9, true, _time.GetUtcNow()));

        Assert.Equal(IslePhase.Failed, lifecycle.State);
        Assert.Equal("OOMKilled", lifecycle.Record.Reason);
        Assert.Equal(137, lifecycle.Record.ExitCode);
    }

    [Fact]
    public async Task ObserveExit_ChildOomKilledInitExit3_ReasonOOMKilledExitCode3()
    {
        var lifecycle = Lifecycle(IslePhase.Pending, RestartPolicy.Never);
        await lifecycle.StartAsync(Request with { Spec = Spec with { RestartPolicy = RestartPolicy.Never } }, TestContext.Current.CancellationToken);

        await lifecycle.ObserveExitAsync(new IsleExit(3, null, true, _time.GetUtcNow()));

        Assert.Equal(IslePhase.Failed, lifecycle.State);
        Assert.Equal(("OOMKilled", 3, null), (lifecycle.Record.Reason, lifecycle.Record.ExitCode, lifecycle.Record.ExitSignal));
        Assert.Equal("exited with code 3 after the OOM killer killed a process of the isle", lifecycle.Record.Message);
    }

    [Fact]
    public async Task ObserveExit_ChildOomKilledInitExit0OnFailure_SucceededWithReasonOOMKilledNoRestart()
    {
        var lifecycle = Lifecycle(IslePhase.Pending, RestartPolicy.OnFailure);
        await lifecycle.StartAsync(Request with { Spec = Spec with { RestartPolicy = RestartPolicy.OnFailure } }, TestContext.Current.CancellationToken);

        await lifecycle.ObserveExitAsync(new IsleExit(0, null, true, _time.GetUtcNow()));

        // Docker: OOMKilled=true, ExitCode=0, on-failure does not restart; Kubernetes: exitCode 0, reason OOMKilled.
        Assert.Equal(IslePhase.Succeeded, lifecycle.State);
        Assert.Equal(("OOMKilled", 0), (lifecycle.Record.Reason, lifecycle.Record.ExitCode));
        Assert.Equal(0, lifecycle.Record.RestartCount);
    }

    [Fact]
    public async Task Restart_CrashLoop_DelayDoublesToMaxAndCountsRestarts()
    {
        var lifecycle = Lifecycle(IslePhase.Pending);
        await lifecycle.StartAsync(Request, TestContext.Current.CancellationToken);
        var delays = new List<TimeSpan>();
        for (int i = 0; i < 8; i++)
        {
            _runtime.Exit("web", 1);
            await lifecycle.ObserveExitAsync(_runtime.Probe("web").Exit!);
            var delay = lifecycle.Record.NextStartAt!.Value - _time.GetUtcNow();
            delays.Add(delay);
            _time.Advance(delay);
            await lifecycle.StartAsync(Request, TestContext.Current.CancellationToken);
            Assert.Equal(IslePhase.Running, lifecycle.State);
        }

        Assert.Equal([0, 10, 20, 40, 80, 160, 300, 300], delays.Select(d => (int)d.TotalSeconds));
        Assert.Equal(8, lifecycle.Record.RestartCount);
        Assert.Equal(9, _runtime.Incarnations("web"));
    }

    [Fact]
    public async Task Restart_AfterLongRun_DelayResetsToBase()
    {
        var lifecycle = Lifecycle(IslePhase.Pending);
        await lifecycle.StartAsync(Request, TestContext.Current.CancellationToken);
        lifecycle.Record.BackOffExponent = 5;

        _time.Advance(TimeSpan.FromMinutes(11));
        _runtime.Exit("web", 1);
        await lifecycle.ObserveExitAsync(_runtime.Probe("web").Exit!);

        Assert.Equal(TimeSpan.Zero, lifecycle.Record.NextStartAt - _time.GetUtcNow()); // as a first restart: at once
    }

    [Fact]
    public async Task Start_NewSpecHash_ResetsRestartCount()
    {
        var lifecycle = Lifecycle(IslePhase.Pending);
        await lifecycle.StartAsync(Request, TestContext.Current.CancellationToken);
        lifecycle.Record.RestartCount = 4;
        await lifecycle.StopAsync(TestContext.Current.CancellationToken);

        await lifecycle.StartAsync(Request with { SpecHash = "hash-2", Generation = 2 }, TestContext.Current.CancellationToken);

        Assert.Equal(IslePhase.Running, lifecycle.State);
        Assert.Equal(0, lifecycle.Record.RestartCount);
        Assert.Equal(2, lifecycle.Record.Generation);
    }

    [Fact]
    public async Task StopAsync_Running_StoppedAndProcessGone()
    {
        var lifecycle = Lifecycle(IslePhase.Pending);
        await lifecycle.StartAsync(Request, TestContext.Current.CancellationToken);

        await lifecycle.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal(IslePhase.Stopped, lifecycle.State);
        Assert.False(_runtime.IsRunning("web"));
        Assert.Equal(128 + 15, lifecycle.Record.ExitCode);
    }

    [Fact]
    public async Task DeleteAsync_Running_RemovesEveryTrace()
    {
        var lifecycle = Lifecycle(IslePhase.Pending);
        await lifecycle.StartAsync(Request, TestContext.Current.CancellationToken);

        await lifecycle.DeleteAsync(TestContext.Current.CancellationToken);

        Assert.Equal(IslePhase.Deleting, lifecycle.State);
        Assert.Equal(IsleProcessState.NotFound, _runtime.Probe("web").State);
    }

    [Fact]
    public async Task DeleteAndRenewAsync_DeletingAndDesiredAgain_PendingWithNoTrace()
    {
        var lifecycle = Lifecycle(IslePhase.Pending);
        await lifecycle.StartAsync(Request, TestContext.Current.CancellationToken);
        await lifecycle.DeleteAsync(TestContext.Current.CancellationToken);

        await lifecycle.DeleteAndRenewAsync(TestContext.Current.CancellationToken);

        Assert.Equal(IslePhase.Pending, lifecycle.State);
        Assert.Null(lifecycle.Record.SpecHash);
        Assert.Null(lifecycle.Record.Pid);
        Assert.Equal(IsleProcessState.NotFound, _runtime.Probe("web").State);
    }

    [Fact]
    public async Task ObserveExit_FirstCrash_SaysRestartingNow()
    {
        var lifecycle = Lifecycle(IslePhase.Pending);
        await lifecycle.StartAsync(Request, TestContext.Current.CancellationToken);
        _runtime.Exit("web", 1);

        await lifecycle.ObserveExitAsync(_runtime.Probe("web").Exit!);

        Assert.Equal(IslePhase.BackOff, lifecycle.State);
        Assert.EndsWith("; restarting now", lifecycle.Record.Message);
        _time.Advance(TimeSpan.Zero);
        await lifecycle.StartAsync(Request, TestContext.Current.CancellationToken);
        _runtime.Exit("web", 1);
        await lifecycle.ObserveExitAsync(_runtime.Probe("web").Exit!);
        Assert.EndsWith("; restarting in 10s", lifecycle.Record.Message);
    }

    /// <summary>The command that rewrites docs/isle-lifecycle.dot from the machine, after changing the machine on purpose.</summary>
    const string RegenerateDot =
        "ISLANDER_WRITE_LIFECYCLE_DOT=1 dotnet test -c Release --project tests/Islander.Controller.Tests --filter-method '*Graph_MatchesCommittedDot'";

    [Fact]
    public void Graph_MatchesCommittedDot()
    {
        var dot = UmlDotGraph.Format(Lifecycle(IslePhase.Pending).GetInfo()).ReplaceLineEndings("\n").Trim() + "\n";
        var path = Path.Combine(RepoRoot(), "docs", "isle-lifecycle.dot");
        if (Environment.GetEnvironmentVariable("ISLANDER_WRITE_LIFECYCLE_DOT") == "1") File.WriteAllText(path, dot);
        var committed = File.ReadAllText(path).ReplaceLineEndings("\n");

        if (committed != dot)
            Assert.Fail($"docs/isle-lifecycle.dot is not the graph of IsleLifecycle's machine. Regenerate it with\n  {RegenerateDot}\n"
                + $"and review its diff. The machine gives:\n{dot}");
    }

    [Fact]
    public void Graph_EveryStateAndAllowedTransitionIsDrawn()
    {
        var dot = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "isle-lifecycle.dot"));

        foreach (var state in Enum.GetValues<IslePhase>())
            Assert.Contains($"\"{state}\" [label=\"{state}", dot);
        foreach (var (from, trigger, to) in Allowed().Select(r => (r.Data.Item1, r.Data.Item2, r.Data.Item4)).Distinct())
            Assert.Contains($"\"{from}\" -> \"{to}\" [style=\"solid\", label=\"{trigger}", dot);
    }

    static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Islander.sln"))) return dir.FullName;
        throw new InvalidOperationException("Islander.sln not found above " + AppContext.BaseDirectory);
    }

    static object? Argument(IsleTrigger trigger, string variant) => trigger switch
    {
        IsleTrigger.Start => Request,
        IsleTrigger.Started => Handle,
        IsleTrigger.StartFailed or IsleTrigger.StartRejected => Problem,
        IsleTrigger.Exited => variant.Split(':')[1] switch
        {
            "kill" => new IsleExit(null, 9, false, DateTimeOffset.UnixEpoch),
            var code => new IsleExit(int.Parse(code), null, false, DateTimeOffset.UnixEpoch),
        },
        _ => null,
    };
}
