using Islander.Drivers.Interop;
using Islander.Drivers.Rootfs;
using Islander.Model;

namespace Islander.Drivers.Volumes;

/// <summary>
/// Volumes in memory: a tmpfs mounted (mount(2), in the daemon's mount namespace) on <c>&lt;root&gt;/&lt;name&gt;</c>,
/// with <c>size=</c> as its limit. Like Docker's tmpfs mounts, the data does NOT survive a reboot or
/// <see cref="Delete"/>; it does survive a daemon restart, because the mount stays in the host's mount namespace and
/// the driver finds it again in /proc/self/mountinfo. After a reboot the volume does not exist (its empty mount
/// point may remain and is reused): the controller creates it again, empty. No snapshots.
/// </summary>
public sealed class TmpfsVolumeDriver : IVolumeDriver
{
    const MountFlags Flags = MountFlags.NoSuid | MountFlags.NoDev;
    readonly VolumeLayout _layout;
    readonly string _realRoot;

    /// <param name="root">The directory that holds the mount points (islanderd: /var/lib/islander/volumes/tmpfs); made if missing.</param>
    public TmpfsVolumeDriver(string root)
    {
        _layout = VolumeLayout.Open(root);
        // mountinfo names mount points by their real path; the root may sit behind a symlink (/var/run).
        _realRoot = FileInterop.RealPath(_layout.Root) ?? _layout.Root;
    }

    /// <summary>This driver's line in <see cref="VolumeDriverCatalog"/>: its name, what it can do, how it is made.</summary>
    public static VolumeDriverRegistration Registration { get; } = new(new("tmpfs"), VolumeCapabilities.SizeLimit, root => new TmpfsVolumeDriver(root));

    public VolumeDriverKind Kind => Registration.Kind;

    public VolumeCapabilities Capabilities => Registration.Capabilities;

    public string Root => _layout.Root;

    public string Create(string name, VolumeSpec spec, CancellationToken cancellationToken)
    {
        string path = _layout.VolumeToCreate(this, name, spec, cancellationToken);
        if (Mount(name) is not null)
        {
            if (spec.Size is { } size && Limit(path) != TmpfsMountData.Rounded(size, Environment.SystemPageSize))
                Resize(name, size, cancellationToken);
            return path;
        }
        if (FileInterop.Lstat(path).Kind is not (FileKind.Directory or FileKind.Missing))
            throw new VolumeException($"volume {name}: {path} exists and is not a directory; remove it", ErrorCategory.Conflict);
        VolumeErrors.Wrap($"create volume {name}", () =>
        {
            Directory.CreateDirectory(path, (UnixFileMode)TmpfsMountData.Mode);
            cancellationToken.ThrowIfCancellationRequested();
            MountInterop.Mount("islander-volume", path, "tmpfs", Flags, TmpfsMountData.Format(spec.Size));
        });
        return path;
    }

    public bool Exists(string name, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Mount(name) is not null;
    }

    public VolumeInfo Inspect(string name, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (Mount(name) is null)
            throw VolumeErrors.NotFound(name);
        string path = _layout.Volume(name);
        var stats = VolumeErrors.Wrap($"inspect volume {name}", () => FileSystemInterop.Statfs(path));
        return new VolumeInfo(name, Kind, path, Limit(stats), stats.BytesUsed, []);
    }

    /// <summary>Equivalent to: mount -o remount,size=SIZE PATH. The data stays; isles see the new size at once.</summary>
    public void Resize(string name, long? size, CancellationToken cancellationToken)
    {
        VolumeErrors.CheckSize(this, name, size);
        cancellationToken.ThrowIfCancellationRequested();
        if (Mount(name) is null)
            throw VolumeErrors.NotFound(name);
        try
        {
            MountInterop.Mount(null, _layout.Volume(name), "tmpfs", MountFlags.Remount | Flags, TmpfsMountData.Resize(size));
        }
        catch (MountException e) when (e.Errno == Errno.EINVAL)
        {
            throw new VolumeException($"volume {name}: cannot shrink to {size} bytes, it holds more (tmpfs refused the remount)", ErrorCategory.Conflict, e);
        }
        catch (MountException e)
        {
            throw VolumeException.From($"resize volume {name}", e);
        }
    }

    /// <summary>Unmounts (lazily: isles that still have it keep it until they exit) and removes the mount point.</summary>
    public void Delete(string name, CancellationToken cancellationToken)
    {
        string path = _layout.Volume(name);
        VolumeErrors.Wrap($"delete volume {name}", () =>
        {
            while (Mount(name) is not null && MountInterop.Unmount(path))
            {
                // Unmount each mount stacked there (only a race of two creates could stack them).
                cancellationToken.ThrowIfCancellationRequested();
            }
            if (FileInterop.Lstat(path).Kind == FileKind.Directory)
                Directory.Delete(path, recursive: true);
        });
    }

    /// <summary>The tmpfs mounts directly under the root with valid names: what survived since the daemon last ran.</summary>
    public IReadOnlyList<string> List(CancellationToken cancellationToken) =>
        Mounts(cancellationToken)
            .Where(m => m.FsType == "tmpfs" && Path.GetDirectoryName(m.MountPoint) == _realRoot)
            .Select(m => Path.GetFileName(m.MountPoint))
            .Where(VolumeName.IsValid)
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();

    public void Snapshot(string name, string snapshot, CancellationToken cancellationToken) => throw NoSnapshots(name, snapshot);

    public void Restore(string name, string snapshot, CancellationToken cancellationToken) => throw NoSnapshots(name, snapshot);

    public void DeleteSnapshot(string name, string snapshot, CancellationToken cancellationToken) => throw NoSnapshots(name, snapshot);

    static VolumeException NoSnapshots(string name, string snapshot)
    {
        VolumeName.Volume(name);
        VolumeName.Snapshot(snapshot);
        return VolumeErrors.NoSnapshots(Registration.Kind, name, "its data lives in memory only; use driver btrfs (or dir) for volumes you snapshot");
    }

    /// <summary>The tmpfs mounted at the volume's path, or null.</summary>
    MountInfoEntry? Mount(string name)
    {
        string point = Path.Combine(_realRoot, VolumeName.Volume(name));
        return Mounts().LastOrDefault(m => m.MountPoint == point && m.FsType == "tmpfs");
    }

    static IReadOnlyList<MountInfoEntry> Mounts(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Mounts();
    }

    static IReadOnlyList<MountInfoEntry> Mounts() => MountInfo.Parse(File.ReadAllText("/proc/self/mountinfo"));

    static long Limit(string path) => Limit(FileSystemInterop.Statfs(path)) ?? 0;

    /// <summary>The size tmpfs enforces, from statfs f_blocks; null for an unlimited tmpfs (f_blocks 0).</summary>
    static long? Limit(FileSystemStats stats) => stats.Blocks == 0 ? null : (long)stats.Blocks * stats.BlockSize;
}
