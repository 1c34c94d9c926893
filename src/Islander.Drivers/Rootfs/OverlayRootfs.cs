using Islander.Drivers.Interop;
using Islander.Drivers.Runtime;
using Islander.Model;

namespace Islander.Drivers.Rootfs;

/// <summary>
/// An isle's root filesystem: an overlay whose lower layers (a rootfs directory or an image's
/// layers) are never written, with a per-isle upper directory under the state root, mounted in the
/// daemon's namespace at RUN/isles/NAME/rootfs. isle-init bind-mounts it into the isle's own mount
/// namespace and pivot_roots there.
/// </summary>
public sealed class OverlayRootfs(string stateRoot, string runRoot)
{
    public string MountPoint(string isle) => Path.Combine(runRoot, "isles", isle, "rootfs");

    /// <summary>The directory that holds the overlay's upper and work directories: the isle's writable layer.</summary>
    public string UpperRoot(string isle) => Path.Combine(stateRoot, "isles", isle, "fs");

    /// <summary>
    /// Equivalent to: mount -t overlay overlay -o lowerdir=L1:L2,upperdir=U,workdir=W MOUNTPOINT.
    /// Idempotent: an existing mount is kept, so the isle's writes survive a daemon restart.
    /// <paramref name="lowerDirs"/> lists the top layer first. <paramref name="owner"/> owns the
    /// writable layer's root: the host ids of the isle's root in a user namespace, so it may write there.
    /// </summary>
    public string Prepare(string isle, IReadOnlyList<string> lowerDirs, (uint Uid, uint Gid)? owner = null)
    {
        string target = MountPoint(isle);
        if (MountInfo.IsMountPoint(target))
            return target;
        foreach (var dir in lowerDirs)
            if (!Directory.Exists(dir))
                throw new IslanderException($"root filesystem {dir} of isle {isle} is not a directory", ErrorCategory.NotFound);

        string upper = Path.Combine(UpperRoot(isle), "upper"), work = Path.Combine(UpperRoot(isle), "work");
        Directory.CreateDirectory(upper);
        Directory.CreateDirectory(work);
        if (owner is { } o)
            FileInterop.Lchown(upper, checked((int)o.Uid), checked((int)o.Gid));
        Directory.CreateDirectory(target);
        MountInterop.Mount("overlay", target, "overlay", MountFlags.None, Options(lowerDirs, upper, work));
        return target;
    }

    /// <summary>overlayfs mount data; ':' and ',' separate options, so paths holding them are escaped with '\'.</summary>
    internal static string Options(IReadOnlyList<string> lowerDirs, string upper, string work) =>
        $"lowerdir={string.Join(':', lowerDirs.Select(Escape))},upperdir={Escape(upper)},workdir={Escape(work)}";

    static string Escape(string path) => path.Replace(@"\", @"\\").Replace(":", @"\:").Replace(",", @"\,");

    /// <summary>Unmounts the overlay and deletes the isle's writable layer. Missing pieces count as removed.</summary>
    public void Remove(string isle)
    {
        string target = MountPoint(isle);
        MountInterop.Unmount(target);
        DeleteIfExists(target);
        DeleteIfExists(UpperRoot(isle));
    }

    static void DeleteIfExists(string dir)
    {
        if (Directory.Exists(dir))
            Directory.Delete(dir, recursive: true);
    }
}
