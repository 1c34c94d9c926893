using Islander.Drivers.Interop;
using Islander.Model;

namespace Islander.Drivers.Volumes;

/// <summary>
/// Where a driver keeps things under its root. Volume and snapshot names are DNS labels, so the driver's own
/// entries start with '.' and can never be taken for a volume.
/// <code>
/// root/NAME                       the volume (dir: a directory; tmpfs: a mount point; btrfs: a subvolume)
/// root/.snapshots/NAME/SNAPSHOT   its snapshots (btrfs: read-only subvolumes; dir: copies)
/// root/.staging/NAME              a restore or snapshot being built; gone when the operation ends
/// </code>
/// </summary>
public sealed record VolumeLayout
{
    public VolumeLayout(string root)
    {
        if (!System.IO.Path.IsPathFullyQualified(root))
            throw new ArgumentException($"volume root '{root}' must be an absolute path", nameof(root));
        Root = System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(root));
    }

    /// <summary>The layout of a driver's root, the root made if missing and set to <see cref="RootMode"/>.</summary>
    public static VolumeLayout Open(string root)
    {
        var layout = new VolumeLayout(root);
        Storage.HostDirectory.Ensure(layout.Root, RootMode); // also closes a root an older islander made 0755
        return layout;
    }

    /// <summary>
    /// 0700 for the root: a setuid-root file an isle wrote into a volume is one on the host too, so no other user may
    /// reach a volume by path (as Docker keeps /var/lib/docker 0710). Isles need no path either:
    /// the launcher hands a volume to isle-init as a detached mount (<see cref="Runtime.MountOpOptions.SourceFd"/>), so
    /// an isle's root remapped by a user namespace mounts it without passing through here.
    /// </summary>
    public const UnixFileMode RootMode = (UnixFileMode)0b111_000_000;

    /// <summary>0700 for the driver's own directories (.snapshots, .staging): no isle reaches them.</summary>
    public const UnixFileMode PrivateMode = (UnixFileMode)0b111_000_000;

    public string Root { get; }

    /// <summary>The parent of every volume's snapshot directory.</summary>
    public string SnapshotsRoot => System.IO.Path.Combine(Root, ".snapshots");

    /// <summary>Where half-built content sits while a restore or a copy runs.</summary>
    public string StagingRoot => System.IO.Path.Combine(Root, ".staging");

    /// <summary>
    /// The start of every driver's Create: a spec <paramref name="driver"/> cannot carry out refused
    /// (<see cref="VolumeErrors.CheckSpec"/>) before anything is made, the token checked, the volume's host path.
    /// </summary>
    public string VolumeToCreate(IVolumeDriver driver, string name, VolumeSpec spec, CancellationToken cancellationToken)
    {
        VolumeErrors.CheckSpec(driver, name, spec);
        cancellationToken.ThrowIfCancellationRequested();
        return Volume(name);
    }

    /// <summary>The host path of volume <paramref name="name"/> (checked).</summary>
    public string Volume(string name) => System.IO.Path.Combine(Root, VolumeName.Volume(name));

    /// <summary>The directory of the volume's snapshots.</summary>
    public string Snapshots(string name) => System.IO.Path.Combine(SnapshotsRoot, VolumeName.Volume(name));

    /// <summary>The path of one snapshot (checked).</summary>
    public string Snapshot(string name, string snapshot) => System.IO.Path.Combine(Snapshots(name), VolumeName.Snapshot(snapshot));

    /// <summary>The staging path of the volume.</summary>
    public string Staging(string name) => System.IO.Path.Combine(StagingRoot, VolumeName.Volume(name));

    /// <summary>What an interrupted restore or copy of the volume can leave: its staging path and <see cref="Replace"/>'s displaced content.</summary>
    public string[] StagingLeftovers(string name) => [Staging(name), Displaced(Staging(name))];

    static string Displaced(string staged) => staged + ".old";

    /// <summary>
    /// Puts <paramref name="staged"/> in the place of <paramref name="path"/> and returns where the old content now is,
    /// for the caller to delete: one renameat2(RENAME_EXCHANGE) (the old content lands at <paramref name="staged"/>), or,
    /// on filesystems without it (EINVAL, e.g. NFS), two renames with a moment in between where the volume is missing.
    /// </summary>
    public static string Replace(string staged, string path)
    {
        try
        {
            Interop.FileSystemInterop.Exchange(staged, path);
            return staged;
        }
        catch (Interop.SyscallException e) when (e.Errno is Errno.EINVAL or Errno.EOPNOTSUPP)
        {
            string old = Displaced(staged);
            Directory.Move(path, old);
            Directory.Move(staged, path);
            return old;
        }
    }

    /// <summary>The names of the directories under <paramref name="directory"/> that are valid names, sorted (ordinal).</summary>
    public static IReadOnlyList<string> ValidNames(string directory) =>
        Directory.Exists(directory)
            ? Directory.EnumerateDirectories(directory).Select(d => System.IO.Path.GetFileName(d)).Where(VolumeName.IsValid).Order(StringComparer.Ordinal).ToList()
            : [];
}
