using Islander.Controller.Reconcile;
using Islander.Controller.State;
using Islander.Drivers.Volumes;
using Islander.Model;
using Microsoft.Extensions.Logging;

namespace Islander.Controller.Volumes;

/// <summary>
/// The isles' side of named volumes: whether an isle's volumes are ready, its claim on them at a start (host paths, the
/// isle recorded as a user), their release when it is deleted; and, for the API, a volume as its driver sees it now.
/// The volume pass is <see cref="VolumeReconciler"/>'s, restore coordination <see cref="VolumeRestores"/>'. Record
/// changes hold the volume's own lock (<see cref="VolumeReconciler.LockOf"/>); reads take none.
/// </summary>
public sealed class IsleVolumes
{
    readonly VolumeDriverSet _drivers;
    readonly StateStore _store;
    readonly ReconcileQueue _queue;
    readonly VolumeReconciler _volumes;
    readonly VolumeRestores _restores;
    readonly ILogger<IsleVolumes> _log;

    public IsleVolumes(VolumeDriverSet drivers, StateStore store, ReconcileQueue queue, VolumeReconciler volumes, VolumeRestores restores, ILogger<IsleVolumes> log)
    {
        (_drivers, _store, _queue, _volumes, _restores, _log) = (drivers, store, queue, volumes, restores, log);
        foreach (var (kind, why) in drivers.Unavailable)
            log.LogWarning("Volume driver {Driver} is unavailable: {Reason}", kind.Name, why);
    }

    public VolumeDriverSet Drivers => _drivers;

    /// <summary>A copy of the volume's record; null when islander has not made (or has forgotten) it.</summary>
    public VolumeRecord? Record(string name) => _store.GetVolume(name);

    public static ObjectKey Key(string volume) => new(ObjectKind.Volume, volume);

    /// <summary>
    /// The volume's record with size limit, bytes used and snapshots asked of the driver now (for the API; nothing is
    /// saved or made). The record as it is when the volume is not ready or the driver cannot tell. Holds no lock: a dir
    /// volume's walk delays only this request.
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
    /// after a reboot is mounted anew) and its host path goes into the claim; the isle is recorded as a user of each,
    /// and released from volumes it no longer names. Dispose the claim once the start ended: until then a restore of
    /// one of these volumes waits. Throws <see cref="ErrorCategory.Transient"/> when a volume is not ready.
    /// </summary>
    public VolumeClaim Prepare(string isle, IsleSpec spec)
    {
        var names = Named(spec).ToList();
        foreach (var record in _store.Volumes().Where(r => r.Users.Contains(isle) && !names.Contains(r.Name)))
            Release(record.Name, isle);
        var inFlight = _restores.Starting(names);
        bool claimed = false;
        try
        {
            var paths = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var name in names)
                lock (_volumes.LockOf(name))
                {
                    if (_store.GetVolume(name) is not { Phase: VolumePhase.Ready } record)
                        throw new IslanderException($"volume {name} is not ready", ErrorCategory.Transient);
                    paths[name] = _drivers.For(record.Driver).Create(name, record.Spec with { Size = null }, CancellationToken.None);
                    if (!record.Users.Contains(isle))
                    {
                        record.Users.Add(isle);
                        _store.SaveVolume(record);
                    }
                }
            claimed = true;
            return new VolumeClaim(paths, inFlight);
        }
        finally
        {
            if (!claimed) inFlight.Dispose();
        }
    }

    /// <summary>After an isle was deleted: it no longer uses any volume; a removed volume waiting for it gets a pass.</summary>
    public void Deleted(string isle)
    {
        foreach (var record in _store.Volumes().Where(r => r.Users.Contains(isle)))
            Release(record.Name, isle);
    }

    /// <summary>The isles recorded as using the volume (started with it, not deleted since).</summary>
    public IReadOnlyList<string> UsersOf(string volume) => _store.GetVolume(volume) is { } r ? LiveUsers(_store, r) : [];

    /// <summary>The recorded users that still have a record (one deleted while the daemon was down is not a user).</summary>
    internal static List<string> LiveUsers(StateStore store, VolumeRecord record) =>
        record.Users.Where(u => store.GetIsle(u) is not null).Order(StringComparer.Ordinal).ToList();

    void Release(string volume, string isle)
    {
        lock (_volumes.LockOf(volume))
        {
            if (_store.GetVolume(volume) is not { } record || !record.Users.Remove(isle))
                return;
            _store.SaveVolume(record);
        }
        _queue.Add(Key(volume)); // a removed volume with reclaimPolicy Delete waits for its last isle
    }

    static IEnumerable<string> Named(IsleSpec spec) => spec.Volumes.Select(v => v.Name).OfType<string>().Distinct(StringComparer.Ordinal);
}
