using Islander.Drivers.Interop;
using Islander.Model;

namespace Islander.Drivers.Rootfs;

/// <summary>What an isle's mount namespace gets, beyond its image: the inputs of <see cref="IsleMountPlan.Build"/>.</summary>
public sealed record MountPlanInput
{
    public required IsleSecurity Security { get; init; }
    public IReadOnlyList<VolumeMount> Volumes { get; init; } = [];

    /// <summary>Host directories of named volumes, by volume name (resolved by the volume driver).</summary>
    public IReadOnlyDictionary<string, string> NamedVolumePaths { get; init; } = new Dictionary<string, string>();

    /// <summary>Procfs paths hidden from the isle (Docker's defaults unless privileged).</summary>
    public IReadOnlyList<string> MaskedPaths { get; init; } = [];

    /// <summary>Procfs paths made read-only (Docker's defaults unless privileged).</summary>
    public IReadOnlyList<string> ReadOnlyPaths { get; init; } = [];
}

/// <summary>
/// Turns an isle's spec into the ordered mounts isle-init performs inside the isle's mount
/// namespace: the same filesystem layout as runc's default spec (Docker's defaults), so the plan is
/// a pure function tested without root. isle-init carries it out and then pivot_roots.
/// </summary>
public static class IsleMountPlan
{
    /// <summary>Device nodes bind-mounted from the host, as runc's default device list (plus tty).</summary>
    public static readonly IReadOnlyList<string> DefaultDevices = ["null", "zero", "full", "random", "urandom", "tty"];

    // Docker masks directories with a read-only tmpfs and files with /dev/null.
    static readonly HashSet<string> MaskedDirectories =
        ["/proc/acpi", "/proc/asound", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap"];

    const MountFlags NoSuidDevExec = MountFlags.NoSuid | MountFlags.NoDev | MountFlags.NoExec;

    public static (IReadOnlyList<MountOp> Mounts, IReadOnlyList<SymlinkOp> Symlinks) Build(string rootfs, MountPlanInput input)
    {
        bool privileged = input.Security.Privileged;
        bool userns = input.Security.UserNamespace is not null;
        var mounts = new List<MountOp>
        {
            // pivot_root needs the new root to be a mount point of its own.
            new(rootfs, "", null, MountFlags.Bind | MountFlags.Recursive),
            new("proc", "proc", "proc", NoSuidDevExec, null, MountOpOptions.CreateDir),
        };

        if (privileged)
        {
            mounts.Add(new("/dev", "dev", null, MountFlags.Bind | MountFlags.Recursive, null, MountOpOptions.CreateDir));
        }
        else
        {
            mounts.Add(new("tmpfs", "dev", "tmpfs", MountFlags.NoSuid | MountFlags.StrictAtime, "mode=755,size=65536k", MountOpOptions.CreateDir));
            // In a user namespace gid 5 (tty) may not be mapped: devpts then refuses gid=5.
            string ptsData = userns ? "newinstance,ptmxmode=0666,mode=0620" : "newinstance,ptmxmode=0666,mode=0620,gid=5";
            mounts.Add(new("devpts", "dev/pts", "devpts", MountFlags.NoSuid | MountFlags.NoExec, ptsData, MountOpOptions.CreateDir));
            foreach (var dev in DefaultDevices)
                mounts.Add(new($"/dev/{dev}", $"dev/{dev}", null, MountFlags.Bind, null, MountOpOptions.CreateFile));
        }
        mounts.Add(new("shm", "dev/shm", "tmpfs", NoSuidDevExec, "mode=1777,size=65536k", MountOpOptions.CreateDir));
        mounts.Add(new("mqueue", "dev/mqueue", "mqueue", NoSuidDevExec, null, MountOpOptions.CreateDir));
        mounts.Add(new("sysfs", "sys", "sysfs", NoSuidDevExec | (privileged ? 0 : MountFlags.ReadOnly), null, MountOpOptions.CreateDir));

        foreach (var volume in input.Volumes)
            mounts.AddRange(VolumeMounts(volume, input.NamedVolumePaths));

        if (!privileged)
        {
            foreach (var path in input.MaskedPaths)
                mounts.Add(MaskedDirectories.Contains(path)
                    ? new("tmpfs", Relative(path), "tmpfs", MountFlags.ReadOnly, null, MountOpOptions.Optional)
                    : new("/dev/null", Relative(path), null, MountFlags.Bind, null, MountOpOptions.Optional));
            foreach (var path in input.ReadOnlyPaths)
            {
                mounts.Add(new(rootfs + path, Relative(path), null, MountFlags.Bind | MountFlags.Recursive, null, MountOpOptions.Optional));
                mounts.Add(new(null, Relative(path), null, MountFlags.Bind | MountFlags.Remount | MountFlags.ReadOnly | NoSuidDevExec, null, MountOpOptions.Optional));
            }
        }

        if (input.Security.ReadOnlyRootFilesystem)
            mounts.Add(new(null, "", null, MountFlags.Bind | MountFlags.Remount | MountFlags.ReadOnly));

        IReadOnlyList<SymlinkOp> links = privileged ? [] :
        [
            new("/proc/self/fd", "dev/fd"),
            new("/proc/self/fd/0", "dev/stdin"),
            new("/proc/self/fd/1", "dev/stdout"),
            new("/proc/self/fd/2", "dev/stderr"),
            new("pts/ptmx", "dev/ptmx"),
            new("/proc/kcore", "dev/core"),
        ];
        return (mounts, links);
    }

    static IEnumerable<MountOp> VolumeMounts(VolumeMount volume, IReadOnlyDictionary<string, string> namedVolumePaths)
    {
        // Validation refuses these already; a spec that did not come through it (the API, islanderctl run, a
        // record from an older islanderd) must not hide the isle's procfs either.
        if (MountDestinations.Refusal(volume.MountPath, bind: volume.Tmpfs is null) is { } refused)
            throw new IslanderException($"volume for {volume.MountPath}: {refused}", ErrorCategory.InvalidManifest);
        string target = Relative(volume.MountPath);
        // Not through a link either (isle-init checks where the target resolved to); lxcfs's files are on procfs.
        var notOnProc = volume.MountPath.StartsWith("/proc/", StringComparison.Ordinal) ? MountOpOptions.None : MountOpOptions.NotOnProc;
        if (volume.Tmpfs is { } tmpfs)
        {
            var options = new List<string> { $"mode={Convert.ToString(tmpfs.Mode ?? 0x1ff /* 0777 */, 8)}" };
            if (tmpfs.Size is { } size) options.Add($"size={size}");
            yield return new("tmpfs", target, "tmpfs", MountFlags.NoSuid | MountFlags.NoDev | (volume.ReadOnly ? MountFlags.ReadOnly : 0),
                string.Join(',', options), MountOpOptions.CreateDir | notOnProc);
            yield break;
        }

        string source = volume.HostPath
            ?? (volume.Name is { } name && namedVolumePaths.TryGetValue(name, out var path)
                ? path
                : throw new IslanderException($"volume \"{volume.Name}\" for {volume.MountPath} has no prepared directory", ErrorCategory.NotFound));
        // A bind of a file needs a file to mount on; of a directory, a directory.
        var create = File.Exists(source) ? MountOpOptions.CreateFile : MountOpOptions.CreateDir;
        // A named volume reaches isle-init as a detached copy (an fd), not by path: its driver's root is 0700, so no
        // local user reaches a setuid-root file an isle wrote there, and isle-init (an isle's remapped root) needs no
        // way through it either. A hostPath is the user's own directory, bound by path.
        // A config file's copy too: it sits in a 0700 directory, and may hold secrets.
        var byFd = volume.HostPath is null || volume.ConfigFile is not null ? MountOpOptions.SourceFd : MountOpOptions.None;
        yield return new(source, target, null, MountFlags.Bind | MountFlags.Recursive, null, create | notOnProc | byFd);
        if (volume.ReadOnly)
            yield return new(null, target, null, MountFlags.Bind | MountFlags.Remount | MountFlags.ReadOnly, null, notOnProc);
    }

    static string Relative(string absolute) => absolute.TrimStart('/');
}
