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
/// The controller's side of named volumes, over the <see cref="VolumeDriverSet"/>: a volume pass per <c>kind: Volume</c>
/// key (create, resize, status, reclaim — what to do is <see cref="StateDiff.ForVolume"/>'s), and the isles' side:
/// whether an isle's volumes are ready, their host paths at its start, and who uses what. The driver and the
/// filesystem are the truth; <see cref="VolumeRecord"/>s remember the spec each volume was made with and its users.
/// One lock orders record changes; starts in flight are counted per volume so a restore can wait for them.
/// </summary>
public sealed class IsleVolumes
{
    readonly VolumeDriverSet _drivers;
    readonly DesiredStore _desired;
    readonly StateStore _store;
    readonly EventRecorder _events;
    readonly ReconcileQueue _queue;
    readonly ILogger<IsleVolumes> _log;
    readonly object _lock = new();
    readonly Dictionary<string, IReadOnlyDictionary<string, string>> _paths = new(StringComparer.Ordinal);
    readonly Dictionary<string, int> _starting = new(StringComparer.Ordinal);
    readonly HashSet<string> _restoring = new(StringComparer.Ordinal);

    public IsleVolumes(VolumeDriverSet drivers, DesiredStore desired, StateStore store, EventRecorder events, ReconcileQueue queue, ILogger<IsleVolumes> log)
    {
        (_drivers, _desired, _store, _events, _queue, _log) = (drivers, desired, store, events, queue, log);
        foreach (var (kind, why) in drivers.Unavailable)
            log.LogWarning("Volume driver {Driver} is unavailable: {Reason}", VolumeErrors.Lower(kind), why);
    }

    public VolumeDriverSet Drivers => _drivers;

    /// <summary>A copy of the volume's record; null when islander has not made (or has forgotten) it.</summary>
    public VolumeRecord? Record(string name) => _store.GetVolume(name);

    public static ObjectKey Key(string volume) => new(ObjectKind.Volume, volume);

    /// <summary>
    /// The volume's record with size limit, bytes used and snapshots asked of the driver now (for the API; nothing is
    /// saved or made). The record as it is when the volume is not ready or the driver cannot tell.
    /// </summary>
    public VolumeRecord? Current(string name)
    {
        if (_store.GetVolume(name) is not { Phase: VolumePhase.Ready } record || !_drivers.Drivers.TryGetValue(record.Driver, out var driver))
            return _store.GetVolume(name);
        try
        {
            var info = driver.Inspect(name, CancellationToken.None);
            record.SizeLimit = info.SizeLimit;
            record.BytesUsed = info.BytesUsed;
            record.Snapshots = [.. info.Snapshots];
        }
        catch (Exception e) when (e is IslanderException or IOException)
        {
            _log.LogDebug("Inspect of volume {Volume} failed: {Error}", name, e.Message); // the pass reports real trouble
        }
        return record;
    }

    // ---- the volume pass ------------------------------------------------------------------------------------------

    /// <summary>
    /// One pass for volume {name}: the Model says create, update (resize, reclaimPolicy), delete or nothing; then the
    /// status is refreshed from the driver (path, size limit, bytes used). Driver refusals (unavailable driver, size on
    /// a driver without limits, shrinking below what it holds) go to the status as Error with the driver's message and
    /// are not retried before the next resync; other failures are recorded and thrown, so the loop retries with back-off.
    /// </summary>
    public void Reconcile(string name)
    {
        lock (_lock)
        {
            var entry = _desired.Get(Key(name));
            if (entry is not null && entry.Object is null)
                return; // never had a valid manifest: its status shows the problems
            var spec = entry?.Object?.Spec.Deserialize<VolumeSpec>(SpecJson.Options);
            var record = _store.GetVolume(name);
            if (spec is null && record is null)
                return;
            record ??= new VolumeRecord { Name = name, Driver = spec!.Driver, Size = spec.Size, ReclaimPolicy = spec.ReclaimPolicy };
            if (_restoring.Contains(name))
                return; // the restore sets the status when it ends
            var users = LiveUsers(record);
            var decision = StateDiff.ForVolume(name, spec, record.Created ? new ActualVolume(name, record.Spec) : null, users);
            string? path = null; // set when this pass creates the volume
            try
            {
                switch (decision.Action)
                {
                    case DeleteVolume:
                        _drivers.For(record.Driver).Delete(name, CancellationToken.None);
                        _store.DeleteVolume(name);
                        _log.LogInformation("Volume {Volume} deleted with its data (reclaimPolicy Delete)", name);
                        _events.Record(Key(name), EventType.Normal, "Deleted", $"{VolumeErrors.Lower(record.Driver)} volume and its snapshots removed (reclaimPolicy Delete)");
                        return;
                    case null when spec is null && decision.Problem is { } inUse:
                        SetStatus(record, record.Phase, "InUse", inUse);
                        return;
                    case null when spec is null && !record.Created:
                        _store.DeleteVolume(name); // never made: nothing to keep
                        return;
                    case null when spec is null && users.Count > 0:
                        // Kept while isles use it, so that they stay its users if it is defined again (Kubernetes' Released).
                        SetStatus(record, record.Phase, "Released",
                            $"manifest removed; the data is kept (reclaimPolicy Retain); isle {string.Join(", ", users)} still uses it");
                        return;
                    case null when spec is null:
                        _store.DeleteVolume(name);
                        _log.LogInformation("Volume {Volume} no longer desired; its data at {Path} is kept (reclaimPolicy Retain)", name, record.Path);
                        _events.Record(Key(name), EventType.Normal, "Retained", $"manifest removed; the data stays at {record.Path} (reclaimPolicy Retain)");
                        return;
                    case CreateVolume create:
                        record.Driver = create.Spec.Driver;
                        record.Size = create.Spec.Size;
                        record.ReclaimPolicy = create.Spec.ReclaimPolicy;
                        path = _drivers.For(record.Driver).Create(name, create.Spec, CancellationToken.None);
                        record.Created = true;
                        _log.LogInformation("Volume {Volume} created ({Driver})", name, VolumeErrors.Lower(record.Driver));
                        break;
                    case UpdateVolume update:
                        if (update.Spec.Size != record.Size)
                        {
                            _drivers.For(record.Driver).Resize(name, update.Spec.Size, CancellationToken.None);
                            _log.LogInformation("Volume {Volume} resized to {Size}", name, update.Spec.Size?.ToString() ?? "the driver's default");
                            _events.Record(Key(name), EventType.Normal, "Resized", update.Spec.Size is { } s ? $"size limit {Quantity.FormatBytes(s)}" : "size limit removed");
                        }
                        record.Size = update.Spec.Size;
                        record.ReclaimPolicy = update.Spec.ReclaimPolicy;
                        break;
                }
                Refresh(record, decision.Problem, path);
            }
            catch (IslanderException e)
            {
                var reason = e.Category == ErrorCategory.Unsupported && !_drivers.Drivers.ContainsKey(record.Driver) ? "DriverUnavailable" : "VolumeError";
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
    void Refresh(VolumeRecord record, string? problem, string? created)
    {
        var driver = _drivers.For(record.Driver);
        var path = created ?? driver.Create(record.Name, record.Spec with { Size = null }, CancellationToken.None); // never resize here: UpdateVolume does
        var info = driver.Inspect(record.Name, CancellationToken.None);
        bool changed = record.Path != path || record.SizeLimit != info.SizeLimit || record.BytesUsed != info.BytesUsed
            || !record.Snapshots.SequenceEqual(info.Snapshots);
        record.Path = path;
        record.SizeLimit = info.SizeLimit;
        record.BytesUsed = info.BytesUsed;
        record.Snapshots = [.. info.Snapshots];
        var reason = problem is null ? null : "DriverChangeRefused";
        if (record.Phase != VolumePhase.Ready || record.Reason != reason || record.Message != problem)
        {
            bool wasReady = record.Phase == VolumePhase.Ready;
            SetStatus(record, VolumePhase.Ready, reason, problem, problem is null ? EventType.Normal : EventType.Warning);
            if (!wasReady)
            {
                _log.LogInformation("Volume {Volume} ready at {Path}", record.Name, path);
                _events.Record(Key(record.Name), EventType.Normal, "Ready", $"{VolumeErrors.Lower(record.Driver)} volume at {path}");
                _store.SaveVolume(record);
            }
        }
        else if (changed)
            _store.SaveVolume(record);
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
            if (type == EventType.Warning) _log.LogWarning("Volume {Volume}: {Reason}: {Message}", record.Name, reason, message);
            else _log.LogInformation("Volume {Volume}: {Reason}: {Message}", record.Name, reason, message);
            _events.Record(Key(record.Name), type, reason, message);
        }
        _store.SaveVolume(record);
    }

    /// <summary>The recorded users that still have a record (one deleted while the daemon was down is not a user).</summary>
    List<string> LiveUsers(VolumeRecord record) => record.Users.Where(u => _store.GetIsle(u) is not null).Order(StringComparer.Ordinal).ToList();

    // ---- isles ----------------------------------------------------------------------------------------------------

    /// <summary>
    /// Why the isle cannot start now: one message per named volume it mounts that is not <see cref="VolumePhase.Ready"/>
    /// (empty: it may start). A volume's pass wakes its isles when it becomes ready.
    /// </summary>
    public IReadOnlyList<string> NotReady(IsleSpec spec)
    {
        var waiting = new List<string>();
        foreach (var name in Named(spec))
        {
            var record = _store.GetVolume(name);
            if (record is { Phase: VolumePhase.Ready })
                continue;
            waiting.Add(record switch
            {
                null or { Phase: VolumePhase.Pending } => $"volume {name} is not ready yet",
                { Phase: VolumePhase.Restoring } => $"volume {name} is being restored from a snapshot",
                _ => $"volume {name} is not ready: {record.Message ?? record.Reason}",
            });
        }
        return waiting;
    }

    /// <summary>
    /// Before an isle starts: each named volume it mounts is found or made again (Create is idempotent: a tmpfs volume
    /// after a reboot is mounted anew) and its host path kept for the runtime (<see cref="PathsOf"/>); the isle is
    /// recorded as a user of each, and released from volumes it no longer names. Dispose the result once the start
    /// ended: until then a restore of one of these volumes waits. Throws <see cref="ErrorCategory.Transient"/> when a
    /// volume is not ready.
    /// </summary>
    public IDisposable Prepare(string isle, IsleSpec spec)
    {
        var names = Named(spec).ToList();
        lock (_lock)
        {
            foreach (var record in _store.Volumes().Where(r => r.Users.Contains(isle) && !names.Contains(r.Name)))
                Release(record, isle);
            var paths = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var name in names)
            {
                if (_store.GetVolume(name) is not { Phase: VolumePhase.Ready } record || _restoring.Contains(name))
                    throw new IslanderException($"volume {name} is not ready", ErrorCategory.Transient);
                paths[name] = _drivers.For(record.Driver).Create(name, record.Spec with { Size = null }, CancellationToken.None);
                if (!record.Users.Contains(isle))
                {
                    record.Users.Add(isle);
                    _store.SaveVolume(record);
                }
            }
            _paths[isle] = paths;
            foreach (var name in names) _starting[name] = _starting.GetValueOrDefault(name) + 1;
        }
        return new Started(this, names);
    }

    /// <summary>The host paths of the isle's named volumes (name → path), as <see cref="Prepare"/> found them: the runtime's NamedVolumePaths.</summary>
    public IReadOnlyDictionary<string, string> PathsOf(string isle)
    {
        lock (_lock) return _paths.GetValueOrDefault(isle) ?? new Dictionary<string, string>();
    }

    /// <summary>After an isle was deleted: it no longer uses any volume; a removed volume waiting for it gets a pass.</summary>
    public void Deleted(string isle)
    {
        lock (_lock)
        {
            _paths.Remove(isle);
            foreach (var record in _store.Volumes().Where(r => r.Users.Contains(isle)))
                Release(record, isle);
        }
    }

    /// <summary>The isles recorded as using the volume (started with it, not deleted since).</summary>
    public IReadOnlyList<string> UsersOf(string volume)
    {
        lock (_lock) return _store.GetVolume(volume) is { } r ? LiveUsers(r) : [];
    }

    void Release(VolumeRecord record, string isle)
    {
        record.Users.Remove(isle);
        _store.SaveVolume(record);
        _queue.Add(Key(record.Name)); // a removed volume with reclaimPolicy Delete waits for its last isle
    }

    static IEnumerable<string> Named(IsleSpec spec) => spec.Volumes.Select(v => v.Name).OfType<string>().Distinct(StringComparer.Ordinal);

    // ---- restore --------------------------------------------------------------------------------------------------

    /// <summary>
    /// Marks the volume as being restored: its isles' starts wait (<see cref="NotReady"/>) and the passes leave its
    /// status alone. Returns once no start that mounts it is in flight. Not ready or unknown: NotFound / Conflict.
    /// </summary>
    internal async Task<VolumeRecord> BeginRestoreAsync(string name, CancellationToken cancellationToken)
    {
        VolumeRecord record;
        lock (_lock)
        {
            record = _store.GetVolume(name) ?? throw new IslanderException($"volume {name} does not exist", ErrorCategory.NotFound);
            if (_restoring.Contains(name))
                throw new IslanderException($"volume {name} is already being restored", ErrorCategory.Conflict);
            if (record.Phase != VolumePhase.Ready)
                throw new IslanderException($"volume {name} is not ready ({record.Reason}: {record.Message}); nothing to restore into", ErrorCategory.Conflict);
            _restoring.Add(name);
            record.Phase = VolumePhase.Restoring;
            record.Reason = "Restoring";
            record.Message = "content being replaced by a snapshot's; its isles wait";
            _store.SaveVolume(record);
        }
        while (true)
        {
            lock (_lock)
                if (_starting.GetValueOrDefault(name) == 0)
                    return record;
            await Task.Delay(10, cancellationToken);
        }
    }

    /// <summary>Ends a restore: the volume is ready again (its status refreshed) and its isles are woken.</summary>
    internal void EndRestore(string name)
    {
        lock (_lock)
        {
            _restoring.Remove(name);
            if (_store.GetVolume(name) is { } record)
            {
                record.Phase = VolumePhase.Pending; // Refresh makes it Ready again, with an event
                record.Reason = record.Message = null;
                try { Refresh(record, null, created: null); }
                catch (IslanderException e) { SetStatus(record, VolumePhase.Error, "VolumeError", e.Message, EventType.Warning); }
            }
        }
        _queue.Add(Key(name));
        foreach (var isle in _desired.Referencing(Key(name))) _queue.Add(ObjectKey.Isle(isle));
    }

    sealed class Started(IsleVolumes volumes, IReadOnlyList<string> names) : IDisposable
    {
        int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
                return;
            lock (volumes._lock)
                foreach (var name in names)
                    if (volumes._starting.GetValueOrDefault(name) is var n and > 1) volumes._starting[name] = n - 1;
                    else volumes._starting.Remove(name);
        }
    }
}
