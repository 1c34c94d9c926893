using Islander.Model;

namespace Islander.Drivers.Volumes;

/// <summary>
/// Makes and keeps named volumes: persistent storage that outlives isles and the daemon. Each driver owns one
/// root directory (islanderd: <c>/var/lib/islander/volumes/&lt;driver&gt;</c>) and keeps every volume at
/// <c>&lt;root&gt;/&lt;name&gt;</c>, the host path isles bind-mount; snapshots live under
/// <c>&lt;root&gt;/.snapshots/&lt;name&gt;/</c>. The kernel and the filesystem, not a database, say what exists,
/// what size it may grow to and how much it uses, so a daemon that restarts finds its volumes with
/// <see cref="List"/> and adopts them.
/// </summary>
/// <remarks>
/// Errors are <see cref="VolumeException"/>s. Categories: <see cref="ErrorCategory.InvalidManifest"/> (a name that
/// is not a DNS label, a spec for another driver), <see cref="ErrorCategory.Unsupported"/> (an operation this
/// driver cannot do: see <see cref="Capabilities"/>), <see cref="ErrorCategory.NotFound"/> (no such volume or
/// snapshot), <see cref="ErrorCategory.AlreadyExists"/> (a snapshot name taken), <see cref="ErrorCategory.Conflict"/>
/// (something that is not islander's sits where a volume should be; a size below what the volume already holds).
/// Calls for one volume must not overlap (the controller serializes per object); calls for different volumes may.
/// Every call takes a <see cref="CancellationToken"/> and checks it between file-system steps (each directory of a
/// copy or a usage walk, each subvolume), never half-way through one: a cancelled call throws
/// <see cref="OperationCanceledException"/> and leaves what an interruption there would, which the next call mends.
/// </remarks>
public interface IVolumeDriver
{
    /// <summary>The driver a <see cref="VolumeSpec"/> must name to be created here.</summary>
    VolumeDriverKind Kind { get; }

    /// <summary>What this driver can do beyond create, inspect and delete.</summary>
    VolumeCapabilities Capabilities { get; }

    /// <summary>
    /// Creates the volume, or finds it, and returns its host path (what isles bind-mount). Idempotent and
    /// converging: for an existing volume it keeps the data and applies <paramref name="spec"/>'s size when that
    /// differs (as <see cref="Resize"/>); a spec without a size leaves an existing limit alone (<c>Resize(name, null, ct)</c>
    /// removes it). The root, the volume and everything on the way are made by this call: call it before starting an
    /// isle that mounts the volume (for tmpfs after a reboot, or the isle would write to the disk below the mount point).
    /// A size on a driver without <see cref="VolumeCapabilities.SizeLimit"/> is
    /// <see cref="ErrorCategory.Unsupported"/>, before anything is made.
    /// </summary>
    string Create(string name, VolumeSpec spec, CancellationToken cancellationToken);

    /// <summary>Whether the volume exists now (for tmpfs: is mounted; after a reboot it is not).</summary>
    bool Exists(string name, CancellationToken cancellationToken);

    /// <summary>Path, size limit, bytes used and snapshots, asked of the kernel. <see cref="ErrorCategory.NotFound"/> when missing.</summary>
    VolumeInfo Inspect(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Sets the size limit in bytes (null: no limit) of an existing volume, with its data and the isles using it
    /// in place. <see cref="ErrorCategory.Unsupported"/> without <see cref="VolumeCapabilities.SizeLimit"/>;
    /// <see cref="ErrorCategory.Conflict"/> when the kernel refuses a size below what the volume holds (tmpfs).
    /// </summary>
    void Resize(string name, long? size, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the volume, its data and its snapshots. A missing volume is success, so Delete is idempotent.
    /// Isles still using the volume keep what they have mounted (tmpfs: until they exit); the caller stops them first.
    /// </summary>
    void Delete(string name, CancellationToken cancellationToken);

    /// <summary>The names of the volumes under the root, sorted: what a restarted daemon adopts.</summary>
    IReadOnlyList<string> List(CancellationToken cancellationToken);

    /// <summary>
    /// Keeps the volume's current content as <paramref name="snapshot"/> (a DNS label).
    /// <see cref="ErrorCategory.AlreadyExists"/> when that snapshot exists; <see cref="ErrorCategory.Unsupported"/>
    /// without <see cref="VolumeCapabilities.Snapshot"/>.
    /// </summary>
    void Snapshot(string name, string snapshot, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the volume's content with <paramref name="snapshot"/>'s; the snapshot stays. The switch is one
    /// rename (RENAME_EXCHANGE), so an interrupted restore leaves the old or the new content, never a mix. Isles that
    /// have the volume mounted keep seeing the old content until they are restarted: the caller stops them first.
    /// </summary>
    void Restore(string name, string snapshot, CancellationToken cancellationToken);

    /// <summary>Deletes one snapshot. A missing snapshot is success.</summary>
    void DeleteSnapshot(string name, string snapshot, CancellationToken cancellationToken);
}
