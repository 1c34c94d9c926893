using System.Text.Json;
using Islander.Controller.Desired;
using Islander.Controller.Events;
using Islander.Controller.Reconcile;
using Islander.Controller.State;
using Islander.Drivers.Volumes;
using Islander.Model;
using Microsoft.Extensions.Logging;

namespace Islander.Controller.Volumes;

/// <summary>
/// The pass of a <c>kind: Volume</c> key: the Model says create, update (resize, reclaimPolicy), delete or nothing
/// (<see cref="StateDiff.ForVolume"/>); then the status is refreshed from the driver; then the isles that mount the
/// volume get a pass (a ready volume lets them start). Also the status side of a restore (Restoring, then Ready).
/// </summary>
/// <remarks>
/// Locks: one per volume (<see cref="LockOf"/>), held across this volume's driver calls only, and taken by the isles'
/// claims (<see cref="IsleVolumes"/>) around every change of its record, so a new user and a pass never overwrite each
/// other. Nothing holds a lock over every volume: a dir volume's tree walk delays only that volume.
/// </remarks>
public sealed class VolumeReconciler(
    VolumeDriverSet drivers, DesiredStore desired, StateStore store, EventRecorder events, ReconcileQueue queue,
    VolumeRestores restores, ILogger<VolumeReconciler> log) : IReconciler
{
    readonly NameLocks _locks = new();

    public ObjectKind Kind => ObjectKind.Volume;

    /// <summary>The lock that orders every change of the volume's record.</summary>
    public object LockOf(string volume) => _locks.For(volume);

    public Task<ReconcileResult> ReconcileAsync(string name, CancellationToken cancellationToken)
    {
        Reconcile(name, cancellationToken);
        foreach (var isle in desired.Referencing(IsleVolumes.Key(name))) queue.Add(ObjectKey.Isle(isle)); // a ready volume lets them start
        return Task.FromResult(ReconcileResult.Done);
    }

    /// <summary>
    /// Driver refusals (unavailable driver, size on a driver without limits, shrinking below what it holds) go to the
    /// status as Error with the driver's message and are not retried before the next resync; other failures are
    /// recorded and thrown, so the loop retries with back-off.
    /// </summary>
    void Reconcile(string name, CancellationToken cancellationToken)
    {
        lock (LockOf(name))
        {
            var entry = desired.Get(IsleVolumes.Key(name));
            if (entry is not null && entry.Object is null)
                return; // never had a valid manifest: its status shows the problems
            var spec = entry?.Object?.Spec is { } json ? SpecJson.To<VolumeSpec>(json) : null;
            var record = store.GetVolume(name);
            if (spec is null && record is null)
                return;
            record ??= new VolumeRecord { Name = name, Driver = spec!.Driver, Size = spec.Size, ReclaimPolicy = spec.ReclaimPolicy };
            if (restores.IsRestoring(name))
                return; // the restore sets the status when it ends
            var users = IsleVolumes.LiveUsers(store, record);
            var decision = StateDiff.ForVolume(name, spec, record.Created ? new ActualVolume(name, record.Spec) : null, users);
            string? path = null; // set when this pass creates the volume
            try
            {
                switch (decision.Action)
                {
                    case DeleteVolume:
                        drivers.For(record.Driver).Delete(name, cancellationToken);
                        store.DeleteVolume(name);
                        log.LogInformation("Volume {Volume} deleted with its data (reclaimPolicy Delete)", name);
                        events.Record(IsleVolumes.Key(name), EventType.Normal, "Deleted", $"{record.Driver.Name} volume and its snapshots removed (reclaimPolicy Delete)");
                        return;
                    case null when spec is null && decision.Problem is { } inUse:
                        SetStatus(record, record.Phase, Reasons.InUse, inUse);
                        return;
                    case null when spec is null && !record.Created:
                        store.DeleteVolume(name); // never made: nothing to keep
                        return;
                    case null when spec is null && users.Count > 0:
                        // Kept while isles use it, so that they stay its users if it is defined again (Kubernetes' Released).
                        SetStatus(record, record.Phase, "Released",
                            $"manifest removed; the data is kept (reclaimPolicy Retain); isle {string.Join(", ", users)} still uses it");
                        return;
                    case null when spec is null:
                        store.DeleteVolume(name);
                        log.LogInformation("Volume {Volume} no longer desired; its data at {Path} is kept (reclaimPolicy Retain)", name, record.Path);
                        events.Record(IsleVolumes.Key(name), EventType.Normal, "Retained", $"manifest removed; the data stays at {record.Path} (reclaimPolicy Retain)");
                        return;
                    case CreateVolume create:
                        record.Driver = create.Spec.Driver;
                        record.Size = create.Spec.Size;
                        record.ReclaimPolicy = create.Spec.ReclaimPolicy;
                        path = drivers.For(record.Driver).Create(name, create.Spec, cancellationToken);
                        record.Created = true;
                        log.LogInformation("Volume {Volume} created ({Driver})", name, record.Driver.Name);
                        break;
                    case UpdateVolume update:
                        if (update.Spec.Size != record.Size)
                        {
                            drivers.For(record.Driver).Resize(name, update.Spec.Size, cancellationToken);
                            log.LogInformation("Volume {Volume} resized to {Size}", name, update.Spec.Size?.ToString() ?? "the driver's default");
                            events.Record(IsleVolumes.Key(name), EventType.Normal, "Resized", update.Spec.Size is { } s ? $"size limit {Quantity.FormatBytes(s)}" : "size limit removed");
                        }
                        record.Size = update.Spec.Size;
                        record.ReclaimPolicy = update.Spec.ReclaimPolicy;
                        break;
                }
                Refresh(record, decision.Problem, path, cancellationToken);
            }
            catch (IslanderException e)
            {
                var reason = e.Category == ErrorCategory.Unsupported && !drivers.Drivers.ContainsKey(record.Driver) ? Reasons.DriverUnavailable : Reasons.VolumeError;
                SetStatus(record, VolumePhase.Error, reason, e.Message, EventType.Warning);
                if (e.Category is ErrorCategory.Transient or ErrorCategory.Unknown)
                    throw;
            }
        }
    }

    /// <summary>
    /// Records what the driver says of the volume. Unless this pass just created it (<paramref name="created"/>, its
    /// path), finds it first (Create: idempotent; for tmpfs after a reboot, mounts it again).
    /// </summary>
    void Refresh(VolumeRecord record, string? problem, string? created, CancellationToken cancellationToken)
    {
        var driver = drivers.For(record.Driver);
        var path = created ?? driver.Create(record.Name, record.Spec with { Size = null }, cancellationToken); // never resize here: UpdateVolume does
        var info = driver.Inspect(record.Name, cancellationToken);
        bool changed = record.Path != path || record.SizeLimit != info.SizeLimit || record.BytesUsed != info.BytesUsed
            || !record.Snapshots.SequenceEqual(info.Snapshots);
        record.Path = path;
        record.SizeLimit = info.SizeLimit;
        record.BytesUsed = info.BytesUsed;
        record.Snapshots = [.. info.Snapshots];
        var reason = problem is null ? null : Reasons.DriverChangeRefused;
        if (record.Phase != VolumePhase.Ready || record.Reason != reason || record.Message != problem)
        {
            bool wasReady = record.Phase == VolumePhase.Ready;
            SetStatus(record, VolumePhase.Ready, reason, problem, problem is null ? EventType.Normal : EventType.Warning);
            if (!wasReady)
            {
                log.LogInformation("Volume {Volume} ready at {Path}", record.Name, path);
                events.Record(IsleVolumes.Key(record.Name), EventType.Normal, "Ready", $"{record.Driver.Name} volume at {path}");
                store.SaveVolume(record);
            }
        }
        else if (changed)
            store.SaveVolume(record);
    }

    void SetStatus(VolumeRecord record, VolumePhase phase, string? reason, string? message, EventType type = EventType.Normal)
    {
        if (record.Phase == phase && record.Reason == reason && record.Message == message)
            return;
        record.Phase = phase;
        record.Reason = reason;
        record.Message = message;
        if (reason is not null && message is not null)
        {
            if (type == EventType.Warning) log.LogWarning("Volume {Volume}: {Reason}: {Message}", record.Name, reason, message);
            else log.LogInformation("Volume {Volume}: {Reason}: {Message}", record.Name, reason, message);
            events.Record(IsleVolumes.Key(record.Name), type, reason, message);
        }
        store.SaveVolume(record);
    }

    // ---- restore --------------------------------------------------------------------------------------------------

    /// <summary>
    /// Marks the volume as being restored: its isles' starts wait and the passes leave its status alone. Returns once
    /// no start that mounts it is in flight. Not ready or unknown: NotFound / Conflict.
    /// </summary>
    internal async Task<VolumeRecord> BeginRestoreAsync(string name, CancellationToken cancellationToken)
    {
        VolumeRecord record;
        lock (LockOf(name))
        {
            record = store.GetVolume(name) ?? throw new IslanderException($"volume {name} does not exist", ErrorCategory.NotFound);
            if (restores.IsRestoring(name))
                throw new IslanderException($"volume {name} is already being restored", ErrorCategory.Conflict);
            if (record.Phase != VolumePhase.Ready)
                throw new IslanderException($"volume {name} is not ready ({record.Reason}: {record.Message}); nothing to restore into", ErrorCategory.Conflict);
            restores.Mark(name);
            record.Phase = VolumePhase.Restoring;
            record.Reason = Reasons.Restoring;
            record.Message = "content being replaced by a snapshot's; its isles wait";
            store.SaveVolume(record);
        }
        await restores.WaitForStartsAsync(name, cancellationToken);
        return record;
    }

    /// <summary>Ends a restore: the volume is ready again (its status refreshed) and its isles are woken.</summary>
    internal void EndRestore(string name)
    {
        lock (LockOf(name))
        {
            restores.Unmark(name);
            if (store.GetVolume(name) is { } record)
            {
                record.Phase = VolumePhase.Pending; // Refresh makes it Ready again, with an event
                record.Reason = record.Message = null;
                try { Refresh(record, null, created: null, CancellationToken.None); }
                catch (IslanderException e) { SetStatus(record, VolumePhase.Error, Reasons.VolumeError, e.Message, EventType.Warning); }
            }
        }
        queue.Add(IsleVolumes.Key(name));
        foreach (var isle in desired.Referencing(IsleVolumes.Key(name))) queue.Add(ObjectKey.Isle(isle));
    }
}
