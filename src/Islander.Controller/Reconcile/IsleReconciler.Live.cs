using Islander.Controller.Desired;
using Islander.Controller.Events;
using Islander.Controller.State;
using Islander.Model;
using Microsoft.Extensions.Logging;

namespace Islander.Controller.Reconcile;

public sealed partial class IsleReconciler
{
    /// <summary>
    /// The Model's <see cref="UpdateIsle"/>: every changed field is live, so the running isle takes it in place. Its
    /// cgroup is written when resources changed (same pid); the record then holds the new spec, hash and generation (so
    /// the edit is not made again) and the stop and restart settings the daemon reads from it; an event lists the fields.
    /// When the runtime refuses (a memory limit below the isle's usage, a write the kernel refuses), the isle runs on
    /// with its old limits and record: the status says why (reason ResourcesUpdateFailed, a warning event once), and
    /// the next pass tries again (the usage may have dropped). Never a silent recreate.
    /// </summary>
    /// <summary>The rule of a config file's content (<see cref="IsleSpecRules"/>): live when its onChange is a signal.</summary>
    const string ConfigDataField = "volumes.configData";

    async Task<ReconcileResult> UpdateLiveAsync(ObjectKey key, IsleRecord record, UpdateIsle update, long generation, CancellationToken cancellationToken)
    {
        var running = ActualStates.RunningSpec(record)
            ?? throw new InvalidOperationException($"isle {key.Name}: a live update without the running spec"); // the Model says live only when it knows it
        bool resources = update.Changes.Any(c => c.Field.StartsWith("resources.", StringComparison.Ordinal));
        var fields = string.Join(", ", update.Changes.Select(c => $"{c.Field} {c.Before ?? "(unset)"} -> {c.After ?? "(unset)"}"));
        if (resources)
        {
            try
            {
                await lifecycles.UpdateResourcesAsync(key.Name, update.Spec.Resources, running.Resources, cancellationToken);
            }
            catch (IslanderException e)
            {
                HeldBecause(key, record, Reasons.ResourcesUpdateFailed,
                    $"generation {generation} not applied ({fields}): {e.Message}; the isle runs on with its old limits", warning: true);
                return ReconcileResult.Done;
            }
        }
        IReadOnlyList<int> signals = [];
        if (update.Changes.Any(c => c.Field == ConfigDataField))
        {
            try
            {
                signals = lifecycles.ReloadConfigFiles(key.Name, running, update.Spec);
            }
            catch (Exception e) when (e is IslanderException or IOException or UnauthorizedAccessException)
            {
                HeldBecause(key, record, Reasons.ConfigFileUpdateFailed,
                    $"generation {generation} not applied ({fields}): {e.Message}; the isle runs on with its old content", warning: true);
                return ReconcileResult.Done;
            }
        }
        record.SpecHash = update.SpecHash;
        record.RunningSpec = SpecJson.FromIsle(update.Spec).ToJsonString();
        record.Generation = generation;
        record.RestartPolicy = update.Spec.RestartPolicy;
        record.StopSignal = update.Spec.StopSignal;
        record.StopTimeout = update.Spec.StopTimeout;
        // What held this edit back (a failed write, a dependency not yet defined) is over: the running isle is as desired.
        if (record.Reason is Reasons.ResourcesUpdateFailed or Reasons.ConfigFileUpdateFailed or Reasons.MissingReference or Reasons.DependencyCycle or Reasons.WaitingForDependencies or Reasons.WaitingForVolume)
            record.Reason = record.Message = null;
        var reason = resources ? Reasons.ResourcesUpdated : update.Changes.Any(c => c.Field == ConfigDataField) ? Reasons.ConfigFileUpdated : Reasons.SpecUpdated;
        var sent = signals.Count == 0 ? "" : $"; signal {string.Join(", ", signals.Select(Signals.Name))} sent";
        var message = $"generation {generation}, in place (pid {record.Pid}): {fields}{sent}";
        log.LogInformation("Isle {Isle} updated in place: {Message}", key.Name, message);
        events.Record(key, EventType.Normal, reason, message, () => store.SaveIsle(record));
        if (rollouts.Progressing(key.Name) is null) // a rollout in progress carried on under this generation
            rollouts.Applied(key.Name, update.Spec, update.SpecHash, generation, "in place")?.Invoke();
        return ReconcileResult.Done;
    }
}
