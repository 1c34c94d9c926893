using Islander.Drivers.Interop;
using Islander.Model;

namespace Islander.Drivers.Volumes;

/// <summary>
/// Volumes that are plain directories under the root, on whatever filesystem the root is on (Docker's
/// <c>local</c> driver). No size limit. Snapshots are full copies (owners, modes, times, symlinks, device nodes;
/// hard links become separate files), so they cost the volume's size and time to make; use btrfs for cheap ones.
/// Data survives daemon restarts and reboots; it goes only with <see cref="Delete"/>.
/// </summary>
public sealed class DirVolumeDriver : IVolumeDriver
{
    const UnixFileMode DirectoryMode = (UnixFileMode)0b111_101_101; // 0755, as Docker's _data

    readonly VolumeLayout _layout;

    /// <param name="root">The directory that holds the volumes (islanderd: /var/lib/islander/volumes/dir); made if missing.</param>
    public DirVolumeDriver(string root) => _layout = VolumeLayout.Open(root);

    /// <summary>This driver's line in <see cref="VolumeDriverCatalog"/>: its name, what it can do, how it is made.</summary>
    public static VolumeDriverRegistration Registration { get; } = new(new("dir"), VolumeCapabilities.Snapshot, root => new DirVolumeDriver(root));

    public VolumeDriverKind Kind => Registration.Kind;

    public VolumeCapabilities Capabilities => Registration.Capabilities;

    public string Root => _layout.Root;

    public string Create(string name, VolumeSpec spec, CancellationToken cancellationToken)
    {
        string path = _layout.VolumeToCreate(this, name, spec, cancellationToken);
        var kind = FileInterop.Lstat(path).Kind;
        if (kind is not (FileKind.Directory or FileKind.Missing))
            throw new VolumeException($"volume {name}: {path} exists and is not a directory; remove it", ErrorCategory.Conflict);
        VolumeErrors.Wrap($"create volume {name}", () => Directory.CreateDirectory(path, DirectoryMode));
        return path;
    }

    public bool Exists(string name, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return FileInterop.Lstat(_layout.Volume(name)).Kind == FileKind.Directory;
    }

    public VolumeInfo Inspect(string name, CancellationToken cancellationToken)
    {
        string path = Existing(name, cancellationToken);
        return new VolumeInfo(name, Kind, path, null, VolumeTree.BytesUsed(path, cancellationToken), VolumeLayout.ValidNames(_layout.Snapshots(name)));
    }

    public void Resize(string name, long? size, CancellationToken cancellationToken)
    {
        VolumeErrors.CheckSize(this, name, size);
        Existing(name, cancellationToken);
    }

    public void Delete(string name, CancellationToken cancellationToken)
    {
        string path = _layout.Volume(name);
        VolumeErrors.Wrap($"delete volume {name}", () =>
        {
            foreach (var dir in (string[])[_layout.Snapshots(name), .. _layout.StagingLeftovers(name), path])
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (FileInterop.Lstat(dir).Kind == FileKind.Directory)
                    Directory.Delete(dir, recursive: true);
            }
        });
    }

    public IReadOnlyList<string> List(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return VolumeLayout.ValidNames(_layout.Root);
    }

    public void Snapshot(string name, string snapshot, CancellationToken cancellationToken)
    {
        string path = Existing(name, cancellationToken);
        string target = _layout.Snapshot(name, snapshot);
        if (Directory.Exists(target))
            throw VolumeErrors.SnapshotExists(name, snapshot);
        // Copy aside first, then rename: an interrupted copy never looks like a snapshot.
        string staging = FreshStaging(name);
        VolumeErrors.Wrap($"snapshot volume {name} as {snapshot}", () =>
        {
            VolumeTree.Copy(path, staging, cancellationToken);
            Directory.CreateDirectory(_layout.Snapshots(name));
            Directory.Move(staging, target);
        });
    }

    public void Restore(string name, string snapshot, CancellationToken cancellationToken)
    {
        string path = Existing(name, cancellationToken);
        string source = _layout.Snapshot(name, snapshot);
        if (!Directory.Exists(source))
            throw VolumeErrors.SnapshotNotFound(name, snapshot);
        string staging = FreshStaging(name);
        VolumeErrors.Wrap($"restore volume {name} from {snapshot}", () =>
        {
            VolumeTree.Copy(source, staging, cancellationToken);
            Directory.Delete(VolumeLayout.Replace(staging, path), recursive: true);
        });
    }

    public void DeleteSnapshot(string name, string snapshot, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string target = _layout.Snapshot(name, snapshot);
        VolumeErrors.Wrap($"delete snapshot {snapshot} of volume {name}", () =>
        {
            if (Directory.Exists(target))
                Directory.Delete(target, recursive: true);
        });
    }

    string Existing(string name, CancellationToken cancellationToken) => Exists(name, cancellationToken) ? _layout.Volume(name) : throw VolumeErrors.NotFound(name);

    /// <summary>The staging path, emptied of what an interrupted operation left, with its parent made.</summary>
    string FreshStaging(string name)
    {
        string staging = _layout.Staging(name);
        VolumeErrors.Wrap($"clean staging of volume {name}", () =>
        {
            foreach (var leftover in _layout.StagingLeftovers(name))
                if (Directory.Exists(leftover))
                    Directory.Delete(leftover, recursive: true);
            Directory.CreateDirectory(_layout.StagingRoot, VolumeLayout.PrivateMode);
        });
        return staging;
    }
}
