using System.Collections.Immutable;
using Islander.Drivers.Volumes;
using Islander.Model;

namespace Islander.Testing.Fakes;

/// <summary>
/// An in-memory <see cref="IVolumeDriver"/> for the controller's tests, acting as the real driver of its
/// <see cref="Kind"/>: the same capabilities, names, errors and categories (the <c>VolumeDriverContract</c> keeps it
/// honest). Isles' writes are simulated with <see cref="Write"/>, which enforces the size limit as the kernel would
/// (ENOSPC). Paths are made up (<c>/fake/volumes/&lt;kind&gt;/&lt;name&gt;</c>) and never touched.
/// </summary>
public sealed class FakeVolumeDriver : IVolumeDriver
{
    readonly FakeVolumeDisk _disk;
    readonly string _root;

    public FakeVolumeDriver(VolumeDriverKind kind = default, FakeVolumeDisk? disk = null, string? root = null)
    {
        Kind = kind;
        _disk = disk ?? new FakeVolumeDisk();
        _root = root ?? $"/fake/volumes/{kind.Name}";
        // What the real driver of that name can do, as it registered itself; a name no driver has can do everything.
        Capabilities = VolumeDriverCatalog.All.FirstOrDefault(r => r.Kind == kind)?.Capabilities
            ?? VolumeCapabilities.SizeLimit | VolumeCapabilities.Snapshot;
    }

    public VolumeDriverKind Kind { get; }

    public VolumeCapabilities Capabilities { get; }

    /// <summary>The state behind this driver; hand it to a new driver to simulate a daemon restart.</summary>
    public FakeVolumeDisk Disk => _disk;

    /// <summary>Makes the next driver call throw this (one-shot), to test error paths.</summary>
    public Exception? NextError { get; set; }

    public string PathOf(string name) => $"{_root}/{VolumeName.Volume(name)}";

    public string Create(string name, VolumeSpec spec, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        VolumeErrors.CheckSpec(this, name, spec);
        lock (_disk.Lock)
        {
            ThrowPending();
            var volume = _disk.Volumes.GetValueOrDefault(name, FakeVolume.Empty);
            _disk.Volumes[name] = spec.Size is { } size ? volume with { SizeLimit = size } : volume;
        }
        return PathOf(name);
    }

    public bool Exists(string name, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        VolumeName.Volume(name);
        lock (_disk.Lock)
            return _disk.Volumes.ContainsKey(name);
    }

    /// <summary>When set, runs before an Inspect: a test holds there a volume whose usage takes long (a dir volume's tree walk).</summary>
    public Action<string>? InspectGate { get; set; }

    public VolumeInfo Inspect(string name, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        InspectGate?.Invoke(name);
        var v = Get(name);
        return new VolumeInfo(name, Kind, PathOf(name), v.SizeLimit, v.BytesUsed, v.Snapshots.Keys.Order(StringComparer.Ordinal).ToList());
    }

    public void Resize(string name, long? size, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        VolumeErrors.CheckSize(this, name, size);
        lock (_disk.Lock)
        {
            ThrowPending();
            var v = Get(name);
            if (Kind == new VolumeDriverKind("tmpfs") && size is { } s && s < v.BytesUsed)
                throw new VolumeException($"volume {name}: cannot shrink to {size} bytes, it holds more (fake)", ErrorCategory.Conflict);
            _disk.Volumes[name] = v with { SizeLimit = size };
        }
    }

    public void Delete(string name, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        VolumeName.Volume(name);
        lock (_disk.Lock)
        {
            ThrowPending();
            _disk.Volumes.Remove(name);
        }
    }

    public IReadOnlyList<string> List(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_disk.Lock)
            return _disk.Volumes.Keys.Order(StringComparer.Ordinal).ToList();
    }

    public void Snapshot(string name, string snapshot, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        CheckSnapshots(name, snapshot);
        lock (_disk.Lock)
        {
            ThrowPending();
            var v = Get(name);
            if (v.Snapshots.ContainsKey(snapshot))
                throw VolumeErrors.SnapshotExists(name, snapshot);
            _disk.Volumes[name] = v with { Snapshots = v.Snapshots.Add(snapshot, v.Files) };
        }
    }

    public void Restore(string name, string snapshot, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        CheckSnapshots(name, snapshot);
        lock (_disk.Lock)
        {
            ThrowPending();
            var v = Get(name);
            if (!v.Snapshots.TryGetValue(snapshot, out var files))
                throw VolumeErrors.SnapshotNotFound(name, snapshot);
            _disk.Volumes[name] = v with { Files = files };
        }
    }

    public void DeleteSnapshot(string name, string snapshot, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        CheckSnapshots(name, snapshot);
        lock (_disk.Lock)
            if (_disk.Volumes.TryGetValue(name, out var v))
                _disk.Volumes[name] = v with { Snapshots = v.Snapshots.Remove(snapshot) };
    }

    /// <summary>What an isle writing <paramref name="file"/> into the volume does; past the size limit it fails as the kernel would.</summary>
    public void Write(string name, string file, byte[] data)
    {
        lock (_disk.Lock)
        {
            var v = Get(name);
            long after = v.BytesUsed - (v.Files.TryGetValue(file, out var old) ? old.Length : 0) + data.Length;
            if (v.SizeLimit is { } limit && after > limit)
                throw new IOException($"No space left on device : '{PathOf(name)}/{file}' (fake, limit {limit})", 28 /* ENOSPC */);
            _disk.Volumes[name] = v with { Files = v.Files.SetItem(file, data) };
        }
    }

    /// <summary>The bytes of <paramref name="file"/>, or null when the volume or the file does not exist.</summary>
    public byte[]? Read(string name, string file)
    {
        lock (_disk.Lock)
            return _disk.Volumes.TryGetValue(name, out var v) && v.Files.TryGetValue(file, out var data) ? data : null;
    }

    /// <summary>A reboot: tmpfs volumes are gone (the real ones are not mounted any more); the others stay.</summary>
    public void SimulateReboot()
    {
        lock (_disk.Lock)
            if (Kind == new VolumeDriverKind("tmpfs"))
                _disk.Volumes.Clear();
    }

    FakeVolume Get(string name)
    {
        VolumeName.Volume(name);
        lock (_disk.Lock)
            return _disk.Volumes.TryGetValue(name, out var v) ? v : throw VolumeErrors.NotFound(name);
    }

    void CheckSnapshots(string name, string snapshot)
    {
        VolumeName.Volume(name);
        VolumeName.Snapshot(snapshot);
        if (!Capabilities.HasFlag(VolumeCapabilities.Snapshot))
            throw VolumeErrors.NoSnapshots(Kind, name, "its data lives in memory only (fake)");
    }

    void ThrowPending()
    {
        if (NextError is { } e)
        {
            NextError = null;
            throw e;
        }
    }
}
