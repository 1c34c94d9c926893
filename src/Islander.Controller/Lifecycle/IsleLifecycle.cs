using Islander.Controller.Images;
using Islander.Controller.Ports;
using Islander.Controller.Reconcile;
using Islander.Controller.State;
using Islander.Model;
using Stateless;
using Stateless.Reflection;

namespace Islander.Controller.Lifecycle;

/// <summary>
/// The lifecycle of one isle: a Stateless machine whose state lives in the <see cref="IsleRecord"/> LiteDB persists,
/// and intention methods that drive it. Entry actions call the runtime; guards only read. Not thread-safe: the
/// reconciler runs one pass per isle at a time and builds a lifecycle per pass. The graph is docs/isle-lifecycle.dot.
/// </summary>
public sealed class IsleLifecycle
{
    readonly StateMachine<IslePhase, IsleTrigger> _machine;
    readonly StateMachine<IslePhase, IsleTrigger>.TriggerWithParameters<StartRequest> _start;
    readonly StateMachine<IslePhase, IsleTrigger>.TriggerWithParameters<IsleHandle> _started;
    readonly StateMachine<IslePhase, IsleTrigger>.TriggerWithParameters<IsleProblem> _startFailed;
    readonly StateMachine<IslePhase, IsleTrigger>.TriggerWithParameters<IsleProblem> _startRejected;
    readonly StateMachine<IslePhase, IsleTrigger>.TriggerWithParameters<IsleExit> _exited;
    readonly IsleRecord _record;
    readonly IIsleRuntime _runtime;
    readonly StartPlanner _planner;
    readonly IsleImages? _images;
    readonly TimeProvider _time;
    readonly RestartBackoff _backoff;
    readonly Func<StateMachine<IslePhase, IsleTrigger>.Transition, Task> _onTransitioned;
    CancellationToken _cancellation;
    UserStop? _userStop;
    string? _pauseMessage;

    public IsleLifecycle(IsleRecord record, IIsleRuntime runtime, StartPlanner planner, TimeProvider time, RestartBackoff backoff,
        Func<StateMachine<IslePhase, IsleTrigger>.Transition, Task>? onTransitioned = null, IsleImages? images = null,
        Action? onEntering = null)
    {
        _images = images;
        _record = record;
        _runtime = runtime;
        _planner = planner;
        _time = time;
        _backoff = backoff;
        _onTransitioned = onTransitioned ?? (_ => Task.CompletedTask);
        _machine = new StateMachine<IslePhase, IsleTrigger>(() => _record.State, s => _record.State = s, FiringMode.Queued);
        _start = _machine.SetTriggerParameters<StartRequest>(IsleTrigger.Start);
        _started = _machine.SetTriggerParameters<IsleHandle>(IsleTrigger.Started);
        _startFailed = _machine.SetTriggerParameters<IsleProblem>(IsleTrigger.StartFailed);
        _startRejected = _machine.SetTriggerParameters<IsleProblem>(IsleTrigger.StartRejected);
        _exited = _machine.SetTriggerParameters<IsleExit>(IsleTrigger.Exited);
        Configure();
        _machine.OnTransitionCompletedAsync(t => _onTransitioned(t));
        // Stopping and Deleting do their work in entry actions (a stop timeout): the state is saved as they begin, so
        // `get` shows Stopping / Deleting meanwhile (kubectl's Terminating), not the state before. The transition's event
        // follows when the work is done. Creating's entry action only records the attempt, and its event's commit
        // follows at once, before the image pull and the runtime's start: that commit is the one `get` reads meanwhile
        // (kubectl's ContainerCreating), so Creating needs no save of its own.
        if (onEntering is not null)
            _machine.OnTransitioned(t =>
            {
                if (!t.IsReentry && t.Destination is IslePhase.Stopping or IslePhase.Deleting) onEntering();
            });
    }

    public IslePhase State => _record.State;

    public IsleRecord Record => _record;

    /// <summary>How long a stop waits after the stop signal before SIGKILL: the user's <c>-t</c>, else the spec's stopTimeout.</summary>
    public TimeSpan StopTimeout => _userStop?.Timeout ?? _record.StopTimeout;

    void Configure()
    {
        _machine.Configure(IslePhase.Pending)
            .OnEntryFrom(IsleTrigger.Deleted, () => _record.SpecHash = null, "forget the removed spec")
            .Permit(IsleTrigger.Start, IslePhase.Creating)
            .Permit(IsleTrigger.Stop, IslePhase.Stopped)
            .Permit(IsleTrigger.Delete, IslePhase.Deleting);

        _machine.Configure(IslePhase.Creating)
            .OnEntryFrom(_start, (request, t) => RecordAttempt(request, t.Source), "record the attempt")
            .PermitReentry(IsleTrigger.Start)
            .Permit(IsleTrigger.Started, IslePhase.Running)
            .Permit(IsleTrigger.StartFailed, IslePhase.BackOff)
            .Permit(IsleTrigger.StartRejected, IslePhase.Error)
            .Permit(IsleTrigger.Stop, IslePhase.Stopping)
            .Permit(IsleTrigger.Delete, IslePhase.Deleting);

        _machine.Configure(IslePhase.Running)
            .OnEntryFrom(_started, OnStarted, "record pid")
            .OnEntryFrom(IsleTrigger.Unpause, () => { _record.Reason = null; _record.Message = null; }, "forget the pause")
            .Permit(IsleTrigger.Pause, IslePhase.Paused)
            .PermitIf(_exited, IslePhase.BackOff, ShouldRestart, "restart policy restarts")
            .PermitIf(_exited, IslePhase.Succeeded, e => !ShouldRestart(e) && e.Succeeded, "no restart, exit 0")
            .PermitIf(_exited, IslePhase.Failed, e => !ShouldRestart(e) && !e.Succeeded, "no restart, failed")
            .Permit(IsleTrigger.Stop, IslePhase.Stopping)
            .Permit(IsleTrigger.Delete, IslePhase.Deleting);

        // Frozen, alive: an exit (SIGKILL reaches a frozen task on cgroup v2, the OOM killer too) is any exit.
        _machine.Configure(IslePhase.Paused)
            .OnEntryFrom(IsleTrigger.Pause, () => { _record.Reason = Reasons.Paused; _record.Message = _pauseMessage; }, "record who paused it")
            .Permit(IsleTrigger.Unpause, IslePhase.Running)
            .PermitIf(_exited, IslePhase.BackOff, ShouldRestart, "restart policy restarts")
            .PermitIf(_exited, IslePhase.Succeeded, e => !ShouldRestart(e) && e.Succeeded, "no restart, exit 0")
            .PermitIf(_exited, IslePhase.Failed, e => !ShouldRestart(e) && !e.Succeeded, "no restart, failed")
            .Permit(IsleTrigger.Stop, IslePhase.Stopping)
            .Permit(IsleTrigger.Delete, IslePhase.Deleting);

        _machine.Configure(IslePhase.Succeeded)
            .OnEntryFrom(_exited, e => RecordExit(e, ExitReason(e), e.ToString()), "record exit")
            .Permit(IsleTrigger.Start, IslePhase.Creating)
            .Permit(IsleTrigger.Delete, IslePhase.Deleting);

        _machine.Configure(IslePhase.Failed)
            .OnEntryFrom(_exited, e => RecordExit(e, ExitReason(e), e.ToString()), "record exit")
            .Permit(IsleTrigger.Start, IslePhase.Creating)
            .Permit(IsleTrigger.Delete, IslePhase.Deleting);

        _machine.Configure(IslePhase.BackOff)
            .OnEntryFrom(_exited, OnExitedToBackOff, "record exit, schedule restart")
            .OnEntryFrom(_startFailed, p => ScheduleRestart(p.Reason, p.Message), "schedule restart")
            .PermitIf(_start, IslePhase.Creating, r => BackOffElapsed() || ImageArrived(r), "restart delay elapsed or awaited image arrived")
            .Permit(IsleTrigger.Stop, IslePhase.Stopped)
            .Permit(IsleTrigger.Delete, IslePhase.Deleting);

        _machine.Configure(IslePhase.Stopping)
            .OnEntryAsync(StopRuntimeAsync, "thaw, stop signal, then SIGKILL")
            .PermitReentry(IsleTrigger.Stop)
            .Permit(IsleTrigger.Stopped, IslePhase.Stopped)
            .Permit(IsleTrigger.Exited, IslePhase.Stopped)
            .Permit(IsleTrigger.Delete, IslePhase.Deleting);

        _machine.Configure(IslePhase.Stopped)
            .OnEntry(OnStopped, "clear pid, say who stopped it")
            .Permit(IsleTrigger.Start, IslePhase.Creating)
            .Permit(IsleTrigger.Delete, IslePhase.Deleting);

        _machine.Configure(IslePhase.Error)
            .OnEntryFrom(_startRejected, p => { _record.Pid = null; _record.Reason = p.Reason; _record.Message = p.Message; }, "record why")
            .Permit(IsleTrigger.Start, IslePhase.Creating)
            .Permit(IsleTrigger.Delete, IslePhase.Deleting);

        _machine.Configure(IslePhase.Deleting)
            .OnEntryAsync(RemoveAsync, "thaw, stop, then remove every trace")
            .PermitReentry(IsleTrigger.Delete)
            .Permit(IsleTrigger.Deleted, IslePhase.Pending);
    }

    /// <summary>The machine's structure, for docs/isle-lifecycle.dot.</summary>
    public StateMachineInfo GetInfo() => _machine.GetInfo();

    /// <summary>Whether a start is allowed now (false in BackOff before the delay elapsed, or while stopping).</summary>
    public bool CanStart(StartRequest request) => _machine.CanFire(_start, request);

    /// <summary>
    /// Whether the isle's last start failed for want of its image (ImagePullFailed) and that image is here now
    /// (imported, or pulled by hand or for another isle): a start need not wait out the back-off. Reads the image
    /// store, changes nothing.
    /// </summary>
    public bool ImageArrived(StartRequest request) =>
        _record.Reason == ImagePullException.Reason && request.Spec.Image is { } image && _images?.IsPresent(image) == true;

    /// <summary>
    /// Starts the isle with <paramref name="request"/>: Creating, then Running, BackOff (transient failure) or
    /// Error (the runtime refused the spec). A restart from BackOff counts in <see cref="IsleRecord.RestartCount"/>.
    /// </summary>
    public async Task StartAsync(StartRequest request, CancellationToken cancellationToken)
    {
        _cancellation = cancellationToken;
        await _machine.FireAsync(_start, request);
        IsleHandle handle;
        try
        {
            handle = await RunAsync(request);
        }
        catch (IslanderException e) when (e.Category != ErrorCategory.Transient && e.Category != ErrorCategory.Unknown)
        {
            var reason = e switch { ImagePullException => ImagePullException.Reason, IsleCommandException c => c.Reason, IsleWorkingDirException => IsleWorkingDirException.Reason, _ => Reasons.StartError };
            await _machine.FireAsync(_startRejected, new IsleProblem(reason, e.Message));
            return;
        }
        catch (Exception e) when (e is IslanderException or IOException or UnauthorizedAccessException or TimeoutException)
        {
            await _machine.FireAsync(_startFailed, new IsleProblem(e is ImagePullException ? ImagePullException.Reason : Reasons.StartFailed, e.Message));
            return;
        }
        await _machine.FireAsync(_started, handle);
    }

    /// <summary>The isle's process ended on its own: Succeeded, Failed or BackOff per restart policy.</summary>
    public Task ObserveExitAsync(IsleExit exit)
    {
        _planner.Ended(_record.Name);
        return _machine.FireAsync(_exited, exit);
    }

    /// <summary>
    /// Stops the isle (if it runs) and keeps its record: Stopped. With <paramref name="byUser"/> (<c>islanderctl stop</c>)
    /// it stays Stopped (<see cref="IsleRecord.StoppedByUser"/>, reason StoppedByUser) until a start or a spec change,
    /// and the stop waits <see cref="UserStop.Timeout"/> instead of the spec's stopTimeout when that is given.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken, UserStop? byUser = null)
    {
        _cancellation = cancellationToken;
        if (byUser is not null)
        {
            _userStop = byUser;
            _record.StoppedByUser = true; // saved as Stopping begins: a daemon that dies meanwhile finishes it as the user's stop
            _record.Message = $"stopped by islanderctl {byUser.Verb} at {Stamp(byUser.At)}";
        }
        await _machine.FireAsync(IsleTrigger.Stop);
        if (_record.State == IslePhase.Stopping)
        {
            var who = _record.StoppedByUser ? _record.Message ?? "stopped by islanderctl stop" : "stopped by islander";
            if (_runtime.Probe(_record.Name).Exit is { } exit) RecordExit(exit, Reasons.Stopped, $"{who} ({exit})");
            await _machine.FireAsync(IsleTrigger.Stopped);
        }
    }

    /// <summary>
    /// Pauses a Running isle: freezes its processes, then Paused. The freeze comes first, outside the machine, so the
    /// phase never says Paused of an isle the kernel did not freeze (a failed freeze thaws again and leaves it Running).
    /// <see cref="ErrorCategory.Conflict"/> in any other phase.
    /// </summary>
    public async Task PauseAsync(DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (!_machine.CanFire(IsleTrigger.Pause))
            throw new IslanderException($"isle {_record.Name} is {_record.State}: only a Running isle can be paused", ErrorCategory.Conflict);
        await _runtime.FreezeAsync(_record.Name, true, cancellationToken);
        _pauseMessage = $"paused by islanderctl pause at {Stamp(at)}";
        await _machine.FireAsync(IsleTrigger.Pause);
    }

    /// <summary>Unpauses a Paused isle: thaws its processes, then Running. <see cref="ErrorCategory.Conflict"/> in any other phase.</summary>
    public async Task UnpauseAsync(CancellationToken cancellationToken)
    {
        if (!_machine.CanFire(IsleTrigger.Unpause))
            throw new IslanderException($"isle {_record.Name} is {_record.State}, not Paused: there is nothing to unpause", ErrorCategory.Conflict);
        await _runtime.FreezeAsync(_record.Name, false, cancellationToken);
        await _machine.FireAsync(IsleTrigger.Unpause);
    }

    /// <summary>Stops the isle and removes every trace of it; the caller then drops the record.</summary>
    public Task DeleteAsync(CancellationToken cancellationToken)
    {
        _cancellation = cancellationToken;
        return _machine.FireAsync(IsleTrigger.Delete);
    }

    /// <summary>
    /// The isle was deleted, then desired again before its record went: finishes the delete (every trace removed)
    /// and keeps the record, Pending with no spec, so the next start is a first one.
    /// </summary>
    public async Task DeleteAndRenewAsync(CancellationToken cancellationToken)
    {
        await DeleteAsync(cancellationToken);
        await _machine.FireAsync(IsleTrigger.Deleted);
    }

    /// <summary>Fires one raw trigger with a default argument; for transition tests only.</summary>
    internal Task FireAsync(IsleTrigger trigger, object? argument = null)
    {
        return trigger switch
        {
            IsleTrigger.Start => _machine.FireAsync(_start, (StartRequest)argument!),
            IsleTrigger.Started => _machine.FireAsync(_started, (IsleHandle)argument!),
            IsleTrigger.StartFailed => _machine.FireAsync(_startFailed, (IsleProblem)argument!),
            IsleTrigger.StartRejected => _machine.FireAsync(_startRejected, (IsleProblem)argument!),
            IsleTrigger.Exited => _machine.FireAsync(_exited, (IsleExit)argument!),
            _ => _machine.FireAsync(trigger),
        };
    }

    /// <summary>Entry into Creating: the attempt and the spec it runs, in the record, before the runtime is called.</summary>
    void RecordAttempt(StartRequest request, IslePhase from)
    {
        if (request.SpecHash != _record.SpecHash)
        {
            _record.RestartCount = 0;
            _record.BackOffExponent = 0;
        }
        else if (from == IslePhase.BackOff && _record.Reason != ImagePullException.Reason)
            _record.RestartCount++; // a retried pull is not a restart: nothing ran (Kubernetes counts it the same way)
        _record.SpecHash = request.SpecHash;
        _record.RunningSpec = Desired.SpecJson.FromIsle(request.Spec).ToJsonString();
        _record.Generation = request.Generation;
        _record.RestartPolicy = request.Spec.RestartPolicy;
        _record.StopSignal = request.Spec.StopSignal;
        _record.StopTimeout = request.Spec.StopTimeout;
        _record.NextStartAt = null;
        _record.StoppedByUser = false; // a start (the user's, or a spec change) ends the user's stop
    }

    /// <summary>The start itself, in Creating: the image (pulled if missing), then the runtime.</summary>
    async Task<IsleHandle> RunAsync(StartRequest request)
    {
        var image = request.Spec.Image is { } reference ? await EnsureImageAsync(reference) : null;
        _record.ImageId = image?.Id;
        using var start = _planner.Prepare(_record.Name, request.Spec, image);
        var handle = await _runtime.StartAsync(start.Plan, _cancellation);
        _planner.Started(_record.Name);
        return handle;
    }

    Task<Drivers.Images.ResolvedImage> EnsureImageAsync(string reference) =>
        _images?.EnsureAsync(reference, _cancellation, _record.Name)
        ?? throw new IslanderException($"isle {_record.Name} names image {reference}, but this islanderd has no image store", ErrorCategory.Unsupported);

    void OnStarted(IsleHandle handle)
    {
        _record.Pid = handle.Pid;
        _record.ShimPid = handle.ShimPid;
        _record.StartedAt = handle.StartedAt;
        _record.FinishedAt = null;
        _record.ExitCode = null;
        _record.ExitSignal = null;
        _record.Reason = null;
        _record.Message = null;
    }

    void OnExitedToBackOff(IsleExit exit)
    {
        if (_record.StartedAt is { } started && exit.FinishedAt - started >= _backoff.ResetAfter)
            _record.BackOffExponent = 0;
        RecordExit(exit, ExitReason(exit), exit.ToString());
        ScheduleRestart(exit.Succeeded ? Reasons.Completed : Reasons.CrashLoopBackOff, exit.ToString());
    }

    void ScheduleRestart(string reason, string why)
    {
        var delay = _backoff.Delay(_record.BackOffExponent);
        _record.BackOffExponent++;
        _record.NextStartAt = _time.GetUtcNow() + delay;
        _record.Pid = null;
        _record.Reason = reason;
        _record.Message = delay > TimeSpan.Zero ? $"{why}; restarting in {Format(delay)}" : $"{why}; restarting now";
    }

    void RecordExit(IsleExit exit, string reason, string message)
    {
        _record.Pid = null;
        _record.ExitCode = exit.ShellCode;
        _record.ExitSignal = exit.Signal;
        _record.FinishedAt = exit.FinishedAt;
        _record.Reason = reason;
        _record.Message = message;
    }

    /// <summary>
    /// The stop waits up to the isle's stop timeout (or the user's): outside the pass's worker slot
    /// (<see cref="WorkerSlot"/>). A paused isle is thawed first, whatever the phase says (a daemon may have died between
    /// the freeze and its record): a frozen task takes no signal until thawed, and on cgroup v1 not even SIGKILL.
    /// </summary>
    async Task StopRuntimeAsync()
    {
        await ThawAsync();
        var timeout = StopTimeout;
        await WorkerSlot.OutsideAsync(() => _runtime.StopAsync(_record.Name, _record.StopSignal, timeout, _cancellation), _cancellation);
        _planner.Stopped(_record.Name);
    }

    async Task ThawAsync()
    {
        try
        {
            await _runtime.FreezeAsync(_record.Name, false, _cancellation);
        }
        catch (IslanderException e) when (e.Category is ErrorCategory.NotFound or ErrorCategory.Unsupported)
        {
            // No cgroup (it ended and went), or no freezer on this host: nothing can be frozen.
        }
    }

    void OnStopped()
    {
        _record.Pid = null;
        _record.NextStartAt = null;
        _record.Reason = _record.StoppedByUser ? Reasons.StoppedByUser : Reasons.Stopped;
    }

    static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    async Task RemoveAsync()
    {
        await StopRuntimeAsync();
        _planner.Ended(_record.Name); // its veths go in the background meanwhile; Deleted follows them
        await _runtime.DeleteAsync(_record.Name, _cancellation);
        _planner.Deleted(_record.Name);
        _record.Pid = null;
    }

    // The restart policy is the Model's rule, applied to the policy of the spec that ran (the record's): a different
    // desired spec recreates the isle anyway.
    bool ShouldRestart(IsleExit exit) =>
        StateDiff.RestartDue(_record.RestartPolicy, exit.Succeeded ? IslePhase.Succeeded : IslePhase.Failed);

    bool BackOffElapsed() => _record.NextStartAt is not { } at || _time.GetUtcNow() >= at;

    /// <summary>
    /// OOMKilled first, whatever the exit code (Docker's State.OOMKilled beside ExitCode, Kubernetes' terminated reason
    /// beside exitCode, even 0): the phase and the restart policy follow the exit code alone.
    /// </summary>
    static string ExitReason(IsleExit exit) => exit.OomKilled ? Reasons.OomKilled : exit.Unhealthy ? Reasons.Unhealthy : exit.Succeeded ? Reasons.Completed : exit.Code is null && exit.Signal is null ? Reasons.Lost : Reasons.Error;

    static string Format(TimeSpan t) => t.TotalSeconds >= 1 ? $"{t.TotalSeconds:0.#}s" : $"{t.TotalMilliseconds:0}ms";
}
