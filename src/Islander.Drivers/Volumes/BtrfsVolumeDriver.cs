using Islander.Drivers.Interop;
using Islander.Drivers.Volumes.Btrfs;
using Islander.Model;

namespace Islander.Drivers.Volumes;

/// <summary>
/// Volumes that are btrfs subvolumes under a root on a btrfs filesystem (containerd's btrfs snapshotter, Docker's
/// btrfs driver). A size is a qgroup limit on referenced bytes (quotas are turned on for the filesystem the first
/// time a volume has a size); writes past it fail with EDQUOT. Snapshots are read-only subvolume snapshots,
/// instant and sharing extents with the volume; restore snapshots one back, writable, and swaps it in.
/// All of it through ioctls (<see cref="BtrfsSubvolume"/>), never the <c>btrfs</c> tool. Data survives daemon
/// restarts and reboots; it goes only with <see cref="Delete"/>, which takes the volume's snapshots too.
/// </summary>
public sealed class BtrfsVolumeDriver : IVolumeDriver
{
    readonly VolumeLayout _layout;
    readonly Lazy<string> _qgroups;

    /// <param name="root">A directory on a btrfs filesystem (islanderd: /var/lib/islander/volumes/btrfs); made if missing.</param>
    /// <param name="sysfs">Where the kernel exports btrfs filesystems.</param>
    /// <exception cref="VolumeException">Unsupported, saying what to do, when the root is not on btrfs.</exception>
    public BtrfsVolumeDriver(string root, string sysfs = "/sys/fs/btrfs")
    {
        if (Probe(root) is { } reason)
            throw new VolumeException(reason, ErrorCategory.Unsupported);
        _layout = VolumeLayout.Open(root);
        // Every volume and snapshot is under the root, on its filesystem: one qgroups directory in sysfs, found once.
        _qgroups = new(() => BtrfsQgroupUsage.QgroupsDirectory(BtrfsSubvolume.FilesystemUuid(_layout.Root), sysfs));
    }

    /// <summary>
    /// Why the btrfs driver cannot work at <paramref name="root"/>, or null when it can (containerd's btrfs plugin
    /// skips itself the same way). The root need not exist yet: the nearest existing parent is checked.
    /// </summary>
    public static string? Probe(string root)
    {
        string existing = Path.GetFullPath(root);
        while (!Directory.Exists(existing))
            existing = Path.GetDirectoryName(existing) ?? "/";
        var type = FileSystemInterop.Statfs(existing).Type;
        return type == FileSystemStats.BtrfsMagic
            ? null
            : $"btrfs volumes need {root} on a btrfs filesystem, but {existing} is on another (statfs f_type 0x{type:x}); " +
              $"make one (mkfs.btrfs DEVICE) and mount it there (mount DEVICE {root}), or use driver dir";
    }

    /// <summary>This driver's line in <see cref="VolumeDriverCatalog"/>: its name, what it can do, how it is made.</summary>
    public static VolumeDriverRegistration Registration { get; } = new(new("btrfs"), VolumeCapabilities.SizeLimit | VolumeCapabilities.Snapshot, root => new BtrfsVolumeDriver(root), Probe);

    public VolumeDriverKind Kind => Registration.Kind;

    public VolumeCapabilities Capabilities => Registration.Capabilities;

    public string Root => _layout.Root;

    public string Create(string name, VolumeSpec spec, CancellationToken cancellationToken)
    {
        string path = _layout.VolumeToCreate(this, name, spec, cancellationToken);
        if (!BtrfsSubvolume.IsSubvolume(path) && FileInterop.Lstat(path).Kind != FileKind.Missing)
            throw new VolumeException($"volume {name}: {path} exists and is not a btrfs subvolume; remove it", ErrorCategory.Conflict);
        VolumeErrors.Wrap($"create volume {name}", () =>
        {
            BtrfsSubvolume.Create(path);
            cancellationToken.ThrowIfCancellationRequested();
            if (spec.Size is { } size && Usage(path)?.MaxReferenced != size)
                SetLimit(path, size);
        });
        return path;
    }

    public bool Exists(string name, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return BtrfsSubvolume.IsSubvolume(_layout.Volume(name));
    }

    public VolumeInfo Inspect(string name, CancellationToken cancellationToken)
    {
        string path = Existing(name, cancellationToken);
        return VolumeErrors.Wrap($"inspect volume {name}", () =>
        {
            // qgroup numbers change when a transaction commits: commit one, so what was just written counts.
            FileSystemInterop.Syncfs(path);
            cancellationToken.ThrowIfCancellationRequested();
            var usage = Usage(path);
            return new VolumeInfo(name, Kind, path, usage?.MaxReferenced, usage?.Referenced ?? VolumeTree.BytesUsed(path, cancellationToken),
                VolumeLayout.ValidNames(_layout.Snapshots(name)));
        });
    }

    /// <summary>Equivalent to: btrfs qgroup limit SIZE|none PATH. Takes effect at once, with the data and isles in place.</summary>
    public void Resize(string name, long? size, CancellationToken cancellationToken)
    {
        VolumeErrors.CheckSize(this, name, size);
        string path = Existing(name, cancellationToken);
        VolumeErrors.Wrap($"resize volume {name}", () =>
        {
            if (size is not null || QuotasEnabled)
                SetLimit(path, size);
        });
    }

    public void Delete(string name, CancellationToken cancellationToken)
    {
        string path = _layout.Volume(name);
        VolumeErrors.Wrap($"delete volume {name}", () =>
        {
            foreach (var snapshot in VolumeLayout.ValidNames(_layout.Snapshots(name)))
            {
                cancellationToken.ThrowIfCancellationRequested();
                BtrfsSubvolume.Delete(_layout.Snapshot(name, snapshot));
            }
            DeleteAny(_layout.Snapshots(name));
            foreach (var leftover in _layout.StagingLeftovers(name))
            {
                cancellationToken.ThrowIfCancellationRequested();
                DeleteAny(leftover);
            }
            cancellationToken.ThrowIfCancellationRequested();
            DeleteAny(path);
        });
    }

    public IReadOnlyList<string> List(CancellationToken cancellationToken) =>
        VolumeLayout.ValidNames(_layout.Root).Where(n =>
        {
            cancellationToken.ThrowIfCancellationRequested();
            return BtrfsSubvolume.IsSubvolume(_layout.Volume(n));
        }).ToList();

    /// <summary>Equivalent to: btrfs subvolume snapshot -r ROOT/NAME ROOT/.snapshots/NAME/SNAPSHOT. Atomic: no staging needed.</summary>
    public void Snapshot(string name, string snapshot, CancellationToken cancellationToken)
    {
        string path = Existing(name, cancellationToken);
        string target = _layout.Snapshot(name, snapshot);
        if (FileInterop.Lstat(target).Kind != FileKind.Missing)
            throw VolumeErrors.SnapshotExists(name, snapshot);
        VolumeErrors.Wrap($"snapshot volume {name} as {snapshot}", () =>
        {
            Directory.CreateDirectory(_layout.Snapshots(name), VolumeLayout.PrivateMode);
            BtrfsSubvolume.Snapshot(path, target, readOnly: true);
        });
    }

    /// <summary>
    /// Snapshots <paramref name="snapshot"/> back, writable, into staging; gives it the volume's size limit; swaps it
    /// with the volume in one renameat2(RENAME_EXCHANGE); deletes the old subvolume.
    /// </summary>
    public void Restore(string name, string snapshot, CancellationToken cancellationToken)
    {
        string path = Existing(name, cancellationToken);
        string source = _layout.Snapshot(name, snapshot);
        if (!BtrfsSubvolume.IsSubvolume(source))
            throw VolumeErrors.SnapshotNotFound(name, snapshot);
        string staging = _layout.Staging(name);
        VolumeErrors.Wrap($"restore volume {name} from {snapshot}", () =>
        {
            foreach (var leftover in _layout.StagingLeftovers(name))
            {
                cancellationToken.ThrowIfCancellationRequested();
                DeleteAny(leftover);
            }
            Directory.CreateDirectory(_layout.StagingRoot, VolumeLayout.PrivateMode);
            cancellationToken.ThrowIfCancellationRequested();
            BtrfsSubvolume.Snapshot(source, staging, readOnly: false);
            cancellationToken.ThrowIfCancellationRequested();
            if (Usage(path)?.MaxReferenced is { } limit)
                SetLimit(staging, limit);
            DeleteAny(VolumeLayout.Replace(staging, path));
        });
    }

    public void DeleteSnapshot(string name, string snapshot, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string target = _layout.Snapshot(name, snapshot);
        VolumeErrors.Wrap($"delete snapshot {snapshot} of volume {name}", () => DeleteAny(target));
    }

    string Existing(string name, CancellationToken cancellationToken) => Exists(name, cancellationToken) ? _layout.Volume(name) : throw VolumeErrors.NotFound(name);

    /// <summary>Deletes a subvolume, or a plain directory tree; nothing there is fine.</summary>
    static void DeleteAny(string path)
    {
        if (BtrfsSubvolume.IsSubvolume(path))
            BtrfsSubvolume.Delete(path);
        else if (FileInterop.Lstat(path).Kind == FileKind.Directory)
            Directory.Delete(path, recursive: true);
    }

    void SetLimit(string path, long? size)
    {
        if (!QuotasEnabled)
            BtrfsSubvolume.EnableQuota(_layout.Root);
        BtrfsSubvolume.Limit(path, BtrfsSubvolume.Id(path), size);
    }

    bool QuotasEnabled => Directory.Exists(_qgroups.Value);

    BtrfsQgroupUsage? Usage(string path) => BtrfsQgroupUsage.Read(_qgroups.Value, BtrfsSubvolume.Id(path));
}
