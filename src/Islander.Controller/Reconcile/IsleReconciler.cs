using Islander.Controller.Desired;
using Islander.Controller.Events;
using Islander.Controller.Health;
using Islander.Controller.Lifecycle;
using Islander.Controller.Ports;
using Islander.Controller.Rollout;
using Islander.Controller.State;
using Islander.Model;
using Microsoft.Extensions.Logging;
using Stateless;

namespace Islander.Controller.Reconcile;

/// <summary>
/// One level-triggered pass for one isle: read the desired entry and the record, check the record against the
/// kernel (runtime probe), then drive the isle's lifecycle until it matches: create, recreate on a spec change,
/// restart per policy after back-off, prune when no longer desired. Safe to interrupt anywhere: every step is
/// idempotent and the record is saved after each transition, so the next pass finishes the work.
/// </summary>
/// <remarks>
/// Also the isle's concerns around the pass: after it, the isle's exit is watched while it runs
/// (<see cref="ExitWatcher"/>); a pass that cannot succeed until the manifest changes is recorded in the isle's status.
/// </remarks>
public sealed partial class IsleReconciler(
    DesiredStore desired, StateStore store, IsleLifecycles lifecycles, EventRecorder events, ReconcileQueue queue, ExitWatcher exits,
    HealthMonitor health, IsleRollouts rollouts, StartupCheck startup, ILogger<IsleReconciler> log) : IReconciler
{
    readonly TimeProvider time = lifecycles.Time;

    public ObjectKind Kind => ObjectKind.Isle;

    public async Task<ReconcileResult> ReconcileAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var result = await PassAsync(name, cancellationToken);
            startup.Passed(name);
            ShowRolledBack(name);
            return WithRollout(name, result);
        }
        catch (TerminalReconcileException e)
        {
            RecordTerminal(name, e);
            throw;
        }
        finally
        {
            var after = store.GetIsle(name);
            exits.Sync(name, after?.State is IslePhase.Running or IslePhase.Paused);
            health.Sync(name, after, RunningPin(name)?.Spec);
        }
    }

    /// <summary>A pass that cannot succeed until the manifest changes: in the isle's status and as an event, once.</summary>
    void RecordTerminal(string name, TerminalReconcileException e)
    {
        var record = store.GetIsle(name) ?? new IsleRecord { Name = name };
        if (record.Reason == e.Reason && record.Message == e.Message)
            return;
        record.Reason = e.Reason;
        record.Message = e.Message;
        store.SaveIsle(record);
        log.LogError("Reconcile of isle {Isle} cannot succeed until its manifest changes: {Reason}: {Message}", name, e.Reason, e.Message);
        events.Record(ObjectKey.Isle(name), EventType.Warning, e.Reason, e.Message);
    }

    async Task<ReconcileResult> PassAsync(string name, CancellationToken cancellationToken)
    {
        var key = ObjectKey.Isle(name);
        var entry = desired.Get(key);
        var record = store.GetIsle(name);

        if (entry is null)
        {
            // An isle that ended before its deletion, which came before the exit's own pass: its exit is recorded first,
            // so that its events say how it ended.
            if (record?.State is IslePhase.Running or IslePhase.Paused && lifecycles.Probe(name) is { State: not IsleProcessState.Running } ended)
                await ObserveExitAsync(LifecycleOf(record), ended);
            await PruneAsync(name, record, cancellationToken);
            return ReconcileResult.Done;
        }
        if (entry.Object is not { Isle: { } spec } obj)
            return ReconcileResult.Done; // never had a valid manifest: nothing to run; the status shows the problems

        // A new record is saved by its first transition. A crash after the runtime started the isle but before
        // that save is harmless: the next pass starts it again, and StartAsync returns the running isle (adoption);
        // if it is no longer desired by then, PruneAsync finds it by its name.
        record ??= new IsleRecord { Name = name, State = IslePhase.Pending };
        // Made when the pass acts on the isle: a no-op pass configures no state machine. A start's first revision
        // (IsleRollouts.Applied) is written in the commit that saves the isle as Creating: one commit less per start.
        IsleLifecycle? made = null;
        Action? revision = null;
        IsleLifecycle Lifecycle() => made ??= LifecycleOf(record, () => Interlocked.Exchange(ref revision, null));

        // The record is a cache: check it against the kernel first.
        var seen = lifecycles.Probe(name);
        switch (record.State)
        {
            case IslePhase.Running or IslePhase.Paused when seen.State != IsleProcessState.Running:
                await ObserveExitAsync(Lifecycle(), seen);
                break;
            case IslePhase.Stopping:
                await Lifecycle().StopAsync(cancellationToken);
                break;
            case IslePhase.Deleting:
                // Deleted, then desired again before the record went: finish the delete, start afresh.
                await Lifecycle().DeleteAndRenewAsync(cancellationToken);
                break;
        }

        if (record.State == IslePhase.Running && seen.State == IsleProcessState.Running && health.TakeRestart(name, record.Pid, out var why))
        {
            // Unhealthy, and its restart policy restarts it (the monitor asks only then): stopped, then handled as an exit.
            log.LogWarning("Isle {Isle} (pid {Pid}) is unhealthy; stopping it to restart: {Why}", name, record.Pid, why);
            await Lifecycle().ObserveExitAsync(await lifecycles.StopUnhealthyAsync(record, cancellationToken));
        }

        // A gated rollout in progress: healthy yet, or due to be rolled back? Then the spec this pass runs: the desired
        // one, or the last good one while the desired generation is the one rolled back.
        await JudgeRolloutAsync(key, entry, obj, spec, record, Lifecycle, seen.State == IsleProcessState.Running && record.State == IslePhase.Running, cancellationToken);
        var pin = rollouts.PinOf(name, entry.Generation, obj.SpecHash);
        var (specHash, generation) = (obj.SpecHash, entry.Generation);
        if (pin is not null)
            (spec, specHash, generation) = (pin.Spec, pin.SpecHash, pin.Generation);

        if (record.SpecHash == specHash && record.State == IslePhase.Running && record.Reason is Reasons.MissingReference or Reasons.DependencyCycle or Reasons.WaitingForDependencies or Reasons.WaitingForVolume or Reasons.ResourcesUpdateFailed)
        {
            record.Reason = record.Message = null; // held back, then the manifest went back to what runs
            store.SaveIsle(record);
        }

        if (record.SpecHash == specHash && record.State == IslePhase.Running && record.Generation != generation)
        {
            // A change the spec hash does not see (the same spec written another way, `64Mi` for `67108864`): the running
            // isle is that spec already, so it observes this generation without a restart.
            record.Generation = generation;
            store.SaveIsle(record);
        }

        // What to do is the Model's decision, the same rule StateDiff.Diff applies to every isle; when and how are
        // ours. An isle that needs nothing cannot be held back, so the checks (lookups in the desired store, and a
        // walk of what its dependsOn reaches) only run when the Model wants to act: a no-op pass stays a hash compare.
        var request = new StartRequest(spec, specHash, generation);
        var actual = ActualStates.Of(record, seen.State == IsleProcessState.Running, specHash);
        // A start that failed for want of the image (Error, ImagePullFailed: the registry does not have it) left
        // nothing behind; once the image is here (imported, or pulled by hand) the isle is no different from one never
        // started, so the Model sees none and starts it, as a user who imports the missing image expects.
        if (record.State == IslePhase.Error && Lifecycle().ImageArrived(request))
            actual = null;
        var decision = StateDiff.ForIsle(name, spec, specHash, actual, []);
        if (decision.Action is null)
            return ReconcileResult.Done;
        var checks = Check(name, spec);
        decision = StateDiff.ForIsle(name, spec, specHash, actual, checks.All);
        if (decision.HeldBack is not null)
            return HoldBack(key, record, spec, checks);

        if (decision.Action is UpdateIsle update)
            return await UpdateLiveAsync(key, record, update, generation, cancellationToken);

        if (lifecycles.VolumesNotReady(spec) is { Count: > 0 } notReady)
            return WaitingForVolumes(key, record, notReady); // before a recreate stops anything: the running version stays

        // A gated rollout begins with an edit the isle is restarted or recreated for (never with a rollback's own start).
        var rollout = decision.Action is RecreateIsle && pin is null ? BeginRollout(name, record, spec, specHash, generation) : null;
        switch (decision.Action)
        {
            case RecreateIsle recreate when record.State is IslePhase.Running or IslePhase.Paused or IslePhase.Creating or IslePhase.Stopping or IslePhase.BackOff:
                // Restart and recreate stop the process and start the new spec alike today (the writable layer is made
                // anew at every start, addresses are kept): the event says which the rule asked for, and why.
                var (verb, reason) = recreate.Kind == SpecChangeKind.Restart ? ("restarting", "Restarting") : ("recreating", "Recreating");
                var fields = recreate.Changes.Count == 0 ? "" : ": " + string.Join(", ", recreate.Changes.Select(c => $"{c.Field} ({c.Kind.ToString().ToLowerInvariant()})"));
                log.LogInformation("Isle {Isle}: spec changed (generation {Generation}){Fields}; {Verb}", name, generation, fields, verb);
                events.Record(key, EventType.Normal, reason, $"spec changed (generation {generation}){fields}"
                    + (rollout is null ? "" : $"; revision {rollout.Revision} must be healthy within {Seconds(spec.Update!.HealthTimeout)}"));
                await Lifecycle().StopAsync(cancellationToken);
                break;
            case StartIsle { Reason: StartReason.AfterBackOff } when !Lifecycle().CanStart(request):
                return Next(record); // due as far as the facts go; our back-off says when
        }
        if (decision.WaitsForDependencies && WaitingForDependencies(record, name, spec))
            return ReconcileResult.Done; // a dependency's next transition adds this key again
        if (rollout is not null)
        {
            if (spec.Update!.SnapshotVolumes)
                rollouts.TakeSnapshots(rollout, spec); // the old generation is stopped: its data is at rest
            rollouts.Starting(rollout, spec);
        }
        else if (rollout is null && pin is null && rollouts.Progressing(name) is null)
            revision = rollouts.Applied(name, spec, specHash, generation, ""); // a start that never reaches Creating drops it: the next pass records it again
        await Lifecycle().StartAsync(request, cancellationToken);
        return Next(record);
    }

    Task ObserveExitAsync(IsleLifecycle lifecycle, IsleObservation seen)
    {
        log.LogInformation("Isle {Isle} (pid {Pid}) ended: {Exit}", lifecycle.Record.Name, lifecycle.Record.Pid, seen.Exit?.ToString() ?? "no exit status (cgroup gone)");
        return lifecycle.ObserveExitAsync(seen.Exit ?? IsleExit.Lost(time.GetUtcNow()));
    }

    ReconcileResult Next(IsleRecord record) =>
        record.State == IslePhase.BackOff && record.NextStartAt is { } at ? ReconcileResult.After(at - time.GetUtcNow()) : ReconcileResult.Done;

    /// <summary>The Model's per-isle checks, through lookups in the desired store rather than a whole desired state.</summary>
    IsleChecks Check(string name, IsleSpec spec)
    {
        bool Defined(ObjectKind kind, string n) => desired.Get(new ObjectKey(kind, n))?.Object is not null;
        return new IsleChecks(
            [.. DesiredStateCheck.MissingReferences(spec, n => Defined(ObjectKind.Network, n), v => Defined(ObjectKind.Volume, v)),
                .. DesiredStateCheck.DependenciesWithoutHealthcheck(spec, i => desired.Get(ObjectKey.Isle(i))?.Object?.Isle)],
            DesiredStateCheck.MissingDependencies(spec, i => Defined(ObjectKind.Isle, i)),
            DependencyOrder.Problem(name, i => i == name ? spec.DependsOn : desired.Get(ObjectKey.Isle(i))?.Object?.Isle?.DependsOn ?? []));
    }

    /// <summary>
    /// The Model held the isle back: say why in its status (a running older version stays). A missing network or
    /// volume is a bad manifest (MissingReference, an event once); a dependsOn cycle cannot pass without a manifest
    /// change (terminal: DependencyCycle, recorded once by the loop); an undefined dependency is waited for.
    /// </summary>
    ReconcileResult HoldBack(ObjectKey key, IsleRecord record, IsleSpec spec, IsleChecks checks)
    {
        if (checks.MissingReferences.Count > 0)
        {
            HeldBecause(key, record, Reasons.MissingReference, string.Join("; ", checks.MissingReferences), warning: true);
            return ReconcileResult.Done; // the network's or volume's key adds this isle again when it appears
        }
        if (checks.Cycle is { } cycle)
            throw new TerminalReconcileException(Reasons.DependencyCycle, cycle);
        WaitingForDependencies(record, key.Name, spec);
        return ReconcileResult.Done; // defining the dependency and its start add this key again
    }

    /// <summary>
    /// A named volume the isle mounts is not ready (being made, in error, being restored): say so in its status and
    /// wait; the volume's pass adds this key again when it becomes ready.
    /// </summary>
    ReconcileResult WaitingForVolumes(ObjectKey key, IsleRecord record, IReadOnlyList<string> notReady)
    {
        HeldBecause(key, record, Reasons.WaitingForVolume, string.Join("; ", notReady));
        return ReconcileResult.Done;
    }

    /// <summary>
    /// Whether a dependency is neither Running nor Succeeded (a finished one-shot), or, with condition Healthy, not
    /// running and healthy (Compose's service_healthy); if so, says so in the status. The monitor adds this key again
    /// when a dependency turns healthy.
    /// </summary>
    bool WaitingForDependencies(IsleRecord record, string name, IsleSpec spec)
    {
        bool Ready(string d)
        {
            var dependency = store.GetIsle(d);
            return spec.HealthyDependencies.Contains(d)
                ? dependency is { State: IslePhase.Running } && health.IsHealthy(d, dependency.Pid)
                : dependency?.State is IslePhase.Running or IslePhase.Succeeded;
        }
        var waiting = spec.DependsOn.Where(d => !Ready(d)).ToList();
        if (waiting.Count == 0)
            return false;
        HeldBecause(ObjectKey.Isle(name), record, Reasons.WaitingForDependencies,
            "waiting for " + string.Join(", ", waiting.Select(d => desired.Get(ObjectKey.Isle(d))?.Object is null ? $"{d} (not defined)"
                : spec.HealthyDependencies.Contains(d) ? $"{d} to be healthy" : d)));
        return true;
    }

    /// <summary>
    /// Says in the isle's status why it does not start now, once: nothing is written while reason and message stay the
    /// same. A <paramref name="warning"/> (a bad manifest) is also an event, saved with the record.
    /// </summary>
    void HeldBecause(ObjectKey key, IsleRecord record, string reason, string message, bool warning = false)
    {
        if (record.Reason == reason && record.Message == message)
            return;
        record.Reason = reason;
        record.Message = message;
        if (warning)
        {
            events.Record(key, EventType.Warning, reason, message, () => store.SaveIsle(record));
            log.LogWarning("Isle {Isle} held back: {Reason}: {Message}", key.Name, reason, message);
        }
        else
        {
            store.SaveIsle(record);
            log.LogInformation("Isle {Isle} waits: {Reason}: {Message}", key.Name, reason, message);
        }
    }

    /// <summary>What the Model's checks found for one isle, by kind, since each kind is reported its own way.</summary>
    readonly record struct IsleChecks(IReadOnlyList<string> MissingReferences, IReadOnlyList<string> MissingDependencies, string? Cycle)
    {
        public IReadOnlyList<string> All => [.. MissingReferences, .. MissingDependencies, .. Cycle is null ? Array.Empty<string>() : [Cycle]];
    }

    async Task PruneAsync(string name, IsleRecord? record, CancellationToken cancellationToken)
    {
        if (record is null)
        {
            // An isle the runtime has but no record names (a crash between start and save, or a lost state
            // directory) is a leftover of ours: deterministic names let us find it.
            if (lifecycles.Probe(name).State != IsleProcessState.NotFound)
            {
                log.LogInformation("Removing leftover isle {Isle} that no manifest defines", name);
                await lifecycles.RemoveLeftoverAsync(name, cancellationToken);
                store.WaitDurable(); // its addresses' release: no commit of its own record follows
            }
            return;
        }
        var key = ObjectKey.Isle(name);
        // Nothing of it runs (it ended, never started, or was stopped): the removal takes moments, so the Deleted commit
        // below is its only one. Deleting is saved first, with an event, only for an isle a stop may keep for its stop
        // timeout, so that `get` shows it meanwhile. Should the daemon die in between, the record is as before and the
        // next pass removes it again.
        var lifecycle = record.State is IslePhase.Creating or IslePhase.Running or IslePhase.Paused or IslePhase.Stopping or IslePhase.Deleting
            ? LifecycleOf(record)
            : lifecycles.For(record, _ => Task.CompletedTask, () => { });
        await lifecycle.DeleteAsync(cancellationToken);
        var forgetHistory = rollouts.Forget(name);
        log.LogInformation("Isle {Isle} deleted (manifest removed)", name);
        // One commit: the record, its rollout history and the event go together, then watchers hear.
        events.Record(key, EventType.Normal, "Deleted", "no longer desired: stopped and removed", () => store.Batch(() =>
        {
            store.DeleteIsle(name);
            forgetHistory();
        }));
        foreach (var dependent in desired.Dependents(name)) queue.Add(ObjectKey.Isle(dependent));
    }

    /// <summary>
    /// The lifecycle of <paramref name="record"/>, whose transitions are saved with their events as a pass saves them:
    /// for a pass, and for the API's verbs (<see cref="IsleVerbs"/>), which run in the key's turn.
    /// </summary>
    /// <param name="withCreating">Takes the write, if any, to make in the commit that saves the record as Creating.</param>
    public IsleLifecycle LifecycleOf(IsleRecord record, Func<Action?>? withCreating = null)
    {
        var key = ObjectKey.Isle(record.Name);
        IsleLifecycle? lifecycle = null;
        var creating = new CreatingSync();
        lifecycle = lifecycles.For(record, t => OnTransitionedAsync(key, record, t, lifecycle!.StopTimeout, withCreating, creating), () =>
        {
            creating.Heard.GetAwaiter().GetResult();
            store.SaveIsle(record);
        });
        return lifecycle;
    }

    /// <summary>
    /// The sync of a lifecycle's Creating commit, under way beside the start it announces: the commit is made at once (a
    /// refused write stops the start as before), its fsync (0.6 to 1.6 ms) overlaps the start's work instead of holding
    /// the pass's worker slot, and every later save of the record waits for it first, so that the record's cache and the
    /// watchers see the saves in their order. A crash before it is durable loses the Creating record only: the next pass
    /// finds the isle running (adopted) or starts it, as after a crash during any start.
    /// </summary>
    sealed class CreatingSync
    {
        public Task Heard { get; set; } = Task.CompletedTask;
    }

    async Task OnTransitionedAsync(ObjectKey key, IsleRecord record, StateMachine<IslePhase, IsleTrigger>.Transition t, TimeSpan stopTimeout,
        Func<Action?>? withCreating, CreatingSync creating)
    {
        await creating.Heard;
        // A renewed record (Deleting -> Pending, desired again) is saved without an event: the start that follows has its own.
        if ((t.IsReentry && t.Destination != IslePhase.Creating) || t.Destination == IslePhase.Pending)
        {
            store.SaveIsle(record);
            return;
        }
        var (type, reason, message) = t.Destination switch
        {
            IslePhase.Creating => (EventType.Normal, "Starting", $"generation {record.Generation}"),
            IslePhase.Running when t.Source == IslePhase.Paused => (EventType.Normal, "Unpaused", $"pid {record.Pid}"),
            IslePhase.Running => (EventType.Normal, "Started", $"pid {record.Pid}"),
            IslePhase.Paused => (EventType.Normal, "Paused", record.Message ?? ""),
            IslePhase.Succeeded => (EventType.Normal, "Completed", record.Message ?? ""),
            IslePhase.Failed => (EventType.Warning, record.Reason ?? "Failed", record.Message ?? ""),
            IslePhase.BackOff => (EventType.Warning, "BackOff", record.Message ?? ""),
            IslePhase.Error => (EventType.Warning, record.Reason ?? "Error", record.Message ?? ""),
            IslePhase.Stopping => (EventType.Normal, "Stopping", $"signal {record.StopSignal}, SIGKILL after {stopTimeout.TotalSeconds:0.#}s"),
            IslePhase.Stopped => (EventType.Normal, "Stopped", record.Message ?? ""),
            IslePhase.Deleting => (EventType.Normal, "Deleting", ""),
            _ => (EventType.Normal, t.Destination.ToString(), ""),
        };
        if (type == EventType.Warning)
            log.LogWarning("Isle {Isle} {From} -> {To}: {Reason} {Message}", key.Name, t.Source, t.Destination, reason, message);
        else
            log.LogInformation("Isle {Isle} {From} -> {To}: {Reason} {Message}", key.Name, t.Source, t.Destination, reason, message);
        var with = t.Destination == IslePhase.Creating ? withCreating?.Invoke() : null;
        // One commit for the record, its event (and its revision), then watchers hear.
        var (_, heard) = events.Commit(key, type, reason, message, with is null ? () => store.SaveIsle(record) : () => store.Batch(() =>
        {
            store.SaveIsle(record);
            with();
        }));
        if (t.Destination == IslePhase.Creating)
            creating.Heard = Task.Run(heard);
        else
            heard();
        if (t.Destination is IslePhase.Running or IslePhase.Succeeded || t.Source is IslePhase.Running)
            foreach (var dependent in desired.Dependents(key.Name)) queue.Add(ObjectKey.Isle(dependent));
    }
}
