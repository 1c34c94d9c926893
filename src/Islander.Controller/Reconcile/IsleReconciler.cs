using Islander.Controller.Desired;
using Islander.Controller.Events;
using Islander.Controller.Hosting;
using Islander.Controller.Images;
using Islander.Controller.Lifecycle;
using Islander.Controller.Ports;
using Islander.Controller.State;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stateless;

namespace Islander.Controller.Reconcile;

/// <summary>
/// One level-triggered pass for one isle: read the desired entry and the record, check the record against the
/// kernel (runtime probe), then drive the isle's lifecycle until it matches: create, recreate on a spec change,
/// restart per policy after back-off, prune when no longer desired. Safe to interrupt anywhere: every step is
/// idempotent and the record is saved after each transition, so the next pass finishes the work.
/// </summary>
public sealed class IsleReconciler(
    DesiredStore desired, StateStore store, IIsleRuntime runtime, EventRecorder events, ReconcileQueue queue,
    TimeProvider time, IOptions<DaemonOptions> options, ILogger<IsleReconciler> log, IsleImages? images = null)
{
    public async Task<ReconcileResult> ReconcileAsync(string name, CancellationToken cancellationToken)
    {
        var key = ResourceKey.Isle(name);
        var entry = desired.Get(key);
        var record = store.GetIsle(name);

        if (entry is null)
        {
            await PruneAsync(name, record, cancellationToken);
            return ReconcileResult.Done;
        }
        if (entry.Object is not { Isle: { } spec } obj)
            return ReconcileResult.Done; // never had a valid manifest: nothing to run; the status shows the problems

        // A new record is saved by its first transition. A crash after the runtime started the isle but before
        // that save is harmless: the next pass starts it again, and StartAsync returns the running isle (adoption);
        // if it is no longer desired by then, PruneAsync finds it by its name.
        record ??= new IsleRecord { Name = name, State = IsleState.Pending };
        var lifecycle = new IsleLifecycle(record, runtime, time, options.Value.RestartBackoff, t => OnTransitionedAsync(key, record, t), images);

        // The record is a cache: check it against the kernel first.
        var seen = runtime.Probe(name);
        switch (record.State)
        {
            case IsleState.Running when seen.State != IsleProcessState.Running:
                log.LogInformation("Isle {Isle} (pid {Pid}) ended: {Exit}", name, record.Pid, seen.Exit?.ToString() ?? "no exit status (cgroup gone)");
                await lifecycle.ObserveExitAsync(seen.Exit ?? IsleExit.Lost(time.GetUtcNow()));
                break;
            case IsleState.Stopping:
                await lifecycle.StopAsync(cancellationToken);
                break;
            case IsleState.Deleting:
                // Deleted, then desired again before the record went: finish the delete, start afresh.
                await lifecycle.DeleteAsync(cancellationToken);
                record.State = IsleState.Pending;
                record.SpecHash = null;
                store.SaveIsle(record);
                break;
        }

        var request = new StartRequest(spec, obj.SpecHash, entry.Generation);
        if (record.SpecHash == obj.SpecHash && record.State == IsleState.Running && record.Reason == "MissingReference")
        {
            record.Reason = record.Message = null; // the manifest went back to what runs
            store.SaveIsle(record);
        }
        if (record.SpecHash != obj.SpecHash && desired.MissingReferences(spec) is { Count: > 0 } missing)
        {
            // Held back like an invalid manifest: neither started nor recreated; a running old version stays.
            var message = $"{string.Join(", ", missing)} not defined; add the manifest(s) or fix the reference";
            if (record.Reason != "MissingReference" || record.Message != message)
            {
                record.Reason = "MissingReference";
                record.Message = message;
                events.Record(key, EventType.Warning, "MissingReference", message, () => store.SaveIsle(record));
                log.LogWarning("Isle {Isle} held back: {Message}", name, message);
            }
            return ReconcileResult.Done; // the network's or volume's key adds this isle again when it appears
        }
        if (record.SpecHash is not null && record.SpecHash != obj.SpecHash && record.State is not IsleState.Pending)
        {
            if (record.State is IsleState.Running or IsleState.Creating or IsleState.Stopping or IsleState.BackOff)
            {
                log.LogInformation("Isle {Isle}: spec changed (generation {Generation}); recreating", name, entry.Generation);
                events.Record(key, EventType.Normal, "Recreating", $"spec changed (generation {entry.Generation})");
                await lifecycle.StopAsync(cancellationToken);
            }
            return await StartWhenReadyAsync(lifecycle, request, name, spec.DependsOn, cancellationToken);
        }

        switch (record.State)
        {
            case IsleState.Pending or IsleState.Stopped:
                return await StartWhenReadyAsync(lifecycle, request, name, spec.DependsOn, cancellationToken);
            case IsleState.Creating:
                await lifecycle.StartAsync(request, cancellationToken); // finish an interrupted start (idempotent)
                break;
            case IsleState.BackOff when lifecycle.CanStart(request):
                await lifecycle.StartAsync(request, cancellationToken);
                break;
            case IsleState.Error or IsleState.Succeeded or IsleState.Failed when record.SpecHash is null:
                return await StartWhenReadyAsync(lifecycle, request, name, spec.DependsOn, cancellationToken);
        }
        return record.State == IsleState.BackOff && record.NextStartAt is { } at
            ? ReconcileResult.After(at - time.GetUtcNow())
            : ReconcileResult.Done;
    }

    async Task<ReconcileResult> StartWhenReadyAsync(IsleLifecycle lifecycle, StartRequest request, string name, IReadOnlyList<string> dependsOn, CancellationToken cancellationToken)
    {
        if (Cycle(name) is { } cycle)
            throw new TerminalReconcileException("DependencyCycle", $"dependsOn forms a cycle: {string.Join(" -> ", cycle)}");
        var waiting = dependsOn.Where(d => store.GetIsle(d)?.State is not (IsleState.Running or IsleState.Succeeded)).ToList();
        if (waiting.Count > 0)
        {
            var record = lifecycle.Record;
            var message = "waiting for " + string.Join(", ", waiting.Select(d => desired.Get(ResourceKey.Isle(d))?.Object is null ? $"{d} (not defined)" : d));
            if (record.Reason != "WaitingForDependencies" || record.Message != message)
            {
                record.Reason = "WaitingForDependencies";
                record.Message = message;
                store.SaveIsle(record);
                log.LogInformation("Isle {Isle} {Message}", name, message);
            }
            return ReconcileResult.Done; // a dependency's next transition adds this key again
        }
        await lifecycle.StartAsync(request, cancellationToken);
        return lifecycle.Record.State == IsleState.BackOff && lifecycle.Record.NextStartAt is { } at
            ? ReconcileResult.After(at - time.GetUtcNow())
            : ReconcileResult.Done;
    }

    async Task PruneAsync(string name, IsleRecord? record, CancellationToken cancellationToken)
    {
        if (record is null)
        {
            // An isle the runtime has but no record names (a crash between start and save, or a lost state
            // directory) is a leftover of ours: deterministic names let us find it.
            if (runtime.Probe(name).State != IsleProcessState.NotFound)
            {
                log.LogInformation("Removing leftover isle {Isle} that no manifest defines", name);
                await runtime.DeleteAsync(name, cancellationToken);
            }
            return;
        }
        var key = ResourceKey.Isle(name);
        var lifecycle = new IsleLifecycle(record, runtime, time, options.Value.RestartBackoff, t => OnTransitionedAsync(key, record, t), images);
        await lifecycle.DeleteAsync(cancellationToken);
        store.DeleteIsle(name);
        log.LogInformation("Isle {Isle} deleted (manifest removed)", name);
        events.Record(key, EventType.Normal, "Deleted", "no longer desired: stopped and removed");
        foreach (var dependent in desired.Dependents(name)) queue.Add(ResourceKey.Isle(dependent));
    }

    Task OnTransitionedAsync(ResourceKey key, IsleRecord record, StateMachine<IsleState, IsleTrigger>.Transition t)
    {
        if (t.IsReentry && t.Destination != IsleState.Creating)
        {
            store.SaveIsle(record);
            return Task.CompletedTask;
        }
        var (type, reason, message) = t.Destination switch
        {
            IsleState.Creating => (EventType.Normal, "Starting", $"generation {record.Generation}"),
            IsleState.Running => (EventType.Normal, "Started", $"pid {record.Pid}"),
            IsleState.Succeeded => (EventType.Normal, "Completed", record.Message ?? ""),
            IsleState.Failed => (EventType.Warning, record.Reason ?? "Failed", record.Message ?? ""),
            IsleState.BackOff => (EventType.Warning, "BackOff", record.Message ?? ""),
            IsleState.Error => (EventType.Warning, record.Reason ?? "Error", record.Message ?? ""),
            IsleState.Stopping => (EventType.Normal, "Stopping", $"signal {record.StopSignal}, SIGKILL after {record.StopTimeout.TotalSeconds:0.#}s"),
            IsleState.Stopped => (EventType.Normal, "Stopped", record.Message ?? ""),
            IsleState.Deleting => (EventType.Normal, "Deleting", ""),
            _ => (EventType.Normal, t.Destination.ToString(), ""),
        };
        if (type == EventType.Warning)
            log.LogWarning("Isle {Isle} {From} -> {To}: {Reason} {Message}", key.Name, t.Source, t.Destination, reason, message);
        else
            log.LogInformation("Isle {Isle} {From} -> {To}: {Reason} {Message}", key.Name, t.Source, t.Destination, reason, message);
        events.Record(key, type, reason, message, () => store.SaveIsle(record)); // one commit for the record and its event, then watchers hear
        if (t.Destination is IsleState.Running or IsleState.Succeeded || t.Source is IsleState.Running)
            foreach (var dependent in desired.Dependents(key.Name)) queue.Add(ResourceKey.Isle(dependent));
        return Task.CompletedTask;
    }

    /// <summary>A dependsOn path from <paramref name="name"/> back to itself, if any.</summary>
    List<string>? Cycle(string name)
    {
        var path = new List<string> { name };
        var visited = new HashSet<string>();
        bool Visit(string current)
        {
            foreach (var d in desired.Get(ResourceKey.Isle(current))?.Object?.Isle?.DependsOn ?? [])
            {
                path.Add(d);
                if (d == name || (visited.Add(d) && Visit(d))) return true;
                path.RemoveAt(path.Count - 1);
            }
            return false;
        }
        return Visit(name) ? path : null;
    }
}
