using Islander.Controller.Desired;
using Islander.Controller.Events;
using Islander.Controller.Ports;
using Islander.Controller.Reconcile;
using Islander.Controller.State;
using Islander.Drivers.Volumes;
using Islander.Model;
using Microsoft.Extensions.Logging;

namespace Islander.Controller.Volumes;

/// <summary>
/// <c>islanderctl volume snapshot|restore</c>. A restore replaces the content under the isles that mount the volume,
/// and a running isle keeps seeing the old content (its bind mount holds the old directory), so: the volume is marked
/// Restoring (its isles' starts wait), the running isles that use it are stopped, the driver restores, and the volume
/// is Ready again; the reconciler then restarts the isles by their restartPolicy, as after any exit.
/// </summary>
public sealed class VolumeSnapshots(
    IsleVolumes volumes, VolumeReconciler passes, IIsleRuntime runtime, StartPlanner planner, DesiredStore desired, EventRecorder events,
    ILogger<VolumeSnapshots> log)
{
    /// <summary>Keeps the volume's content as <paramref name="snapshot"/>. Unsupported on tmpfs; AlreadyExists for a taken name.</summary>
    public void Snapshot(string name, string snapshot)
    {
        var driver = DriverOf(name);
        driver.Snapshot(name, snapshot, CancellationToken.None);
        log.LogInformation("Volume {Volume}: snapshot {Snapshot} taken", name, snapshot);
        events.Record(IsleVolumes.Key(name), EventType.Normal, "Snapshot", $"snapshot {snapshot} taken");
    }

    /// <summary>Deletes a snapshot the volume has (a rollout's, once it is no longer needed).</summary>
    public void DeleteSnapshot(string name, string snapshot)
    {
        DriverOf(name).DeleteSnapshot(name, snapshot, CancellationToken.None);
        log.LogInformation("Volume {Volume}: snapshot {Snapshot} deleted", name, snapshot);
    }

    /// <summary>The snapshots the volume has now.</summary>
    public IReadOnlyList<string> SnapshotsOf(string name) => DriverOf(name).Inspect(name, CancellationToken.None).Snapshots;

    /// <summary>
    /// Replaces the volume's content with the snapshot's; returns the isles that were stopped for it, and the note on
    /// those whose restartPolicy is not Always (OnFailure: back only if it ended with an error; Never: stays stopped).
    /// </summary>
    public async Task<RestoreResult> RestoreAsync(string name, string snapshot, CancellationToken cancellationToken)
    {
        var driver = DriverOf(name);
        if (!driver.Inspect(name, cancellationToken).Snapshots.Contains(snapshot))
            throw VolumeErrors.SnapshotNotFound(name, snapshot);
        await passes.BeginRestoreAsync(name, cancellationToken);
        var stopped = new List<string>();
        var policies = new Dictionary<string, RestartPolicy>();
        try
        {
            foreach (var isle in volumes.UsersOf(name))
            {
                if (runtime.Probe(isle).State != IsleProcessState.Running)
                    continue;
                var spec = desired.Get(ObjectKey.Isle(isle))?.Object?.Isle;
                policies[isle] = spec?.RestartPolicy ?? RestartPolicy.Never;
                log.LogInformation("Volume {Volume}: stopping isle {Isle} for the restore", name, isle);
                await runtime.StopAsync(isle, spec?.StopSignal ?? 15, spec?.StopTimeout ?? TimeSpan.FromSeconds(10), cancellationToken);
                planner.Stopped(isle);
                stopped.Add(isle);
            }
            driver.Restore(name, snapshot, cancellationToken);
        }
        finally
        {
            passes.EndRestore(name); // also after a failed restore: the old content is still there
        }
        log.LogInformation("Volume {Volume} restored from snapshot {Snapshot}; isles stopped for it: {Isles}", name, snapshot, stopped);
        events.Record(IsleVolumes.Key(name), EventType.Normal, "Restored",
            $"content of snapshot {snapshot}" + (stopped.Count > 0 ? $"; stopped {string.Join(", ", stopped)} to start again" : ""));
        return new RestoreResult(stopped, policies);
    }

    IVolumeDriver DriverOf(string name)
    {
        VolumeName.Volume(name);
        var record = volumes.Record(name) ?? throw VolumeErrors.NotFound(name);
        var driver = volumes.Drivers.For(record.Driver);
        if (!driver.Capabilities.HasFlag(VolumeCapabilities.Snapshot))
            throw VolumeErrors.NoSnapshots(record.Driver, name, "its data lives in memory only; use driver btrfs (instant snapshots) or dir (copies) for a volume you snapshot");
        return driver;
    }
}
