using Islander.Controller.Desired;
using Islander.Controller.Events;
using Islander.Controller.Lifecycle;
using Islander.Controller.Rollout;
using Islander.Controller.State;
using Islander.Model;
using Microsoft.Extensions.Logging;

namespace Islander.Controller.Reconcile;

public sealed partial class IsleReconciler
{
    /// <summary>How often a pass looks at a gated rollout in progress (is it healthy yet?), besides its deadline.</summary>
    static readonly TimeSpan RolloutPoll = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// A gated rollout in progress (<c>spec.update</c>): Complete once the new generation is healthy (its healthcheck
    /// passed; without one, it ran minHealthyTime without exiting); at its deadline, or at once when it can no longer
    /// become healthy (Error: a start the runtime refuses, an image that cannot be pulled; Failed: ended, not restarted),
    /// rolled back: stopped, its volumes' snapshots put back, recorded RolledBack; the pass then starts the last good
    /// generation (<see cref="IsleRollouts.PinOf"/>). A new generation of the manifest supersedes the rollout, or carries
    /// it on when it changed only live fields.
    /// </summary>
    async Task JudgeRolloutAsync(ObjectKey key, DesiredEntry entry, DesiredObject obj, IsleSpec spec, IsleRecord record, Func<IsleLifecycle> lifecycle,
        bool alive, CancellationToken cancellationToken)
    {
        if (rollouts.Progressing(key.Name) is not { } rollout)
            return;
        if (rollout.Generation != entry.Generation || rollout.SpecHash != obj.SpecHash)
        {
            var changes = IsleSpecRules.Changes(SpecJson.ToIsle(System.Text.Json.Nodes.JsonNode.Parse(rollout.SpecJson)!.AsObject()), spec);
            if (changes.Count > 0 && IsleSpecRules.Needs(changes) == SpecChangeKind.Live && spec.Update is not null)
            {
                rollouts.CarryOver(rollout, spec, obj.SpecHash, entry.Generation);
            }
            else
            {
                rollouts.Finish(rollout, RolloutResult.Superseded, message: $"generation {entry.Generation} was applied before it became healthy", keepSnapshots: true);
                return;
            }
        }

        var update = spec.Update ?? new IsleUpdate();
        var now = time.GetUtcNow();
        bool started = record.SpecHash == rollout.SpecHash;
        if (started && (record.State == IslePhase.Succeeded
            || (record.State == IslePhase.Running && alive && (spec.Healthcheck is not null
                ? health.IsHealthy(key.Name, record.Pid)
                : record.StartedAt is { } at && now - at >= update.MinHealthyTime))))
        {
            var how = record.State == IslePhase.Succeeded ? "completed"
                : spec.Healthcheck is not null ? "is healthy" : $"ran {Seconds(update.MinHealthyTime)} without exiting";
            rollouts.Finish(rollout, RolloutResult.Complete, message: how);
            log.LogInformation("Isle {Isle}: revision {Revision} (generation {Generation}) {How}; rollout complete", key.Name, rollout.Revision, rollout.Generation, how);
            events.Record(key, EventType.Normal, Reasons.RolloutComplete, $"revision {rollout.Revision} (generation {rollout.Generation}) {how}");
            return;
        }

        (string Reason, string Message)? failure = started && record.State is IslePhase.Error or IslePhase.Failed
            ? (record.Reason ?? "Failed", record.Message ?? "") // cannot become healthy any more: no need to wait for the deadline
            : now >= rollout.Deadline ? Why(key.Name, record, spec, update, started) : null;
        if (failure is not { } why)
            return;

        if (!update.Rollback)
        {
            var text = $"revision {rollout.Revision} (generation {rollout.Generation}) did not become healthy within {Seconds(update.HealthTimeout)}: {why.Reason}: {why.Message}; rollback is off, so it stays";
            rollouts.Finish(rollout, RolloutResult.Failed, why.Reason, why.Message);
            log.LogWarning("Isle {Isle}: {Message}", key.Name, text);
            events.Record(key, EventType.Warning, Reasons.RolloutFailed, text);
            return;
        }

        log.LogWarning("Isle {Isle}: revision {Revision} (generation {Generation}) did not become healthy: {Reason}: {Message}; rolling back to generation {Previous}",
            key.Name, rollout.Revision, rollout.Generation, why.Reason, why.Message, rollout.PreviousGeneration);
        // Only the new generation is stopped: one that never started (held back by a dependency or a volume) may have left
        // the last good one running, which the pin then keeps as it is.
        if (started && record.State is IslePhase.Running or IslePhase.Paused or IslePhase.Creating or IslePhase.Stopping or IslePhase.BackOff or IslePhase.Pending)
            await lifecycle().StopAsync(cancellationToken);
        var volumes = string.Join(", ", rollout.Snapshots.Keys);
        var restoreProblem = await rollouts.RestoreAsync(rollout, cancellationToken);
        rollouts.Finish(rollout, RolloutResult.RolledBack, why.Reason, why.Message);
        var message = RolledBackMessage(rollout)
            + (volumes.Length == 0 ? "" : restoreProblem is null ? $"; volumes restored: {volumes}" : $"; {restoreProblem}");
        events.Record(key, EventType.Warning, Reasons.RolledBack, message);
    }

    /// <summary>Why a gated rollout did not pass by its deadline, from what the isle is doing.</summary>
    (string Reason, string Message) Why(string name, IsleRecord record, IsleSpec spec, IsleUpdate update, bool started)
    {
        var within = $"within {Seconds(update.HealthTimeout)}";
        if (!started)
            return (record.Reason ?? Reasons.HealthTimeout, $"not started {within}" + (record.Message is { } m ? $": {m}" : ""));
        if (record.State == IslePhase.BackOff)
            return (record.Reason ?? Reasons.CrashLoopBackOff, $"restarted {record.RestartCount} times {within}: {record.Message}");
        if (spec.Healthcheck is { } check && record.State == IslePhase.Running)
        {
            var view = health.View(name, record.Pid);
            var last = view?.Log.LastOrDefault();
            return (view?.Status == Model.Api.HealthView.Unhealthy ? Reasons.Unhealthy : Reasons.HealthTimeout,
                $"{check.Describe()} not passing {within} (health {view?.Status ?? "unknown"})" + (last is null ? "" : $"; last check: {last.Output.Trim()}"));
        }
        return (Reasons.HealthTimeout, $"did not run {Seconds(update.MinHealthyTime)} without exiting {within} (phase {record.State}" + (record.Reason is { } r ? $", {r}" : "") + ")");
    }

    static string RolledBackMessage(RolloutRecord rollout) =>
        $"revision {rollout.Revision} (generation {rollout.Generation}) rolled back to generation {rollout.PreviousGeneration}"
        + (rollout.PreviousRevision > 0 ? $" (revision {rollout.PreviousRevision})" : "")
        + $": {rollout.Reason}: {rollout.Message}; generation {rollout.Generation} is not tried again until the manifest changes";

    /// <summary>
    /// Begins a gated rollout of a recreate or restart when the isle wants one (<c>spec.update</c>) and runs a
    /// generation known to be good; null: the edit is applied as any other.
    /// </summary>
    RolloutRecord? BeginRollout(string name, IsleRecord record, IsleSpec spec, string specHash, long generation)
    {
        if (spec.Update is null)
            return null;
        if (rollouts.Progressing(name) is { } begun && begun.Generation == generation && begun.SpecHash == specHash)
            return begun; // begun by a pass that did not get to the start (waiting for a dependency, a daemon restart)
        if (rollouts.LastGoodOf(record, ActualStates.RunningSpec(record)) is not { } lastGood)
            return null;
        var rollout = rollouts.Begin(name, spec, specHash, generation, lastGood);
        log.LogInformation("Isle {Isle}: rolling out revision {Revision} (generation {Generation}); healthy by {Deadline:O} or back to generation {Previous}",
            name, rollout.Revision, generation, rollout.Deadline, lastGood.Generation);
        return rollout;
    }

    /// <summary>The last good spec the isle runs in place of its desired, rolled-back generation, if so.</summary>
    RolloutPin? RunningPin(string name) =>
        desired.Get(ObjectKey.Isle(name)) is { Object: { Isle: not null } obj } entry ? rollouts.PinOf(name, entry.Generation, obj.SpecHash) : null;

    /// <summary>After a pass: an isle that runs its last good generation in place of a rolled-back one says so in its status.</summary>
    void ShowRolledBack(string name)
    {
        if (desired.Get(ObjectKey.Isle(name)) is not { Object: { Isle: not null } obj } entry
            || rollouts.PinOf(name, entry.Generation, obj.SpecHash) is not { } pin
            || store.GetIsle(name) is not { State: IslePhase.Running, Reason: null } record
            || record.SpecHash != pin.SpecHash)
            return;
        record.Reason = Reasons.RolledBack;
        record.Message = RolledBackMessage(pin.RolledBack);
        store.SaveIsle(record);
    }

    /// <summary>When the pass should look again at a gated rollout in progress: by its deadline, and every <see cref="RolloutPoll"/> until then.</summary>
    ReconcileResult WithRollout(string name, ReconcileResult result)
    {
        if (rollouts.Progressing(name) is not { Deadline: { } deadline })
            return result;
        var wait = deadline - time.GetUtcNow();
        if (wait > RolloutPoll) wait = RolloutPoll;
        return result.RequeueAfter is { } after && after < wait ? result : ReconcileResult.After(wait);
    }

    static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + "s";
}
