using Islander.Drivers.Interop;
using Islander.Drivers.Storage;
using Islander.Model;

namespace Islander.Drivers.Rootfs;

/// <summary>
/// An isle's root filesystem: an overlay whose lower layers (a rootfs directory or an image's
/// layers) are never written, with a per-isle upper directory under the state root. The host's mount
/// namespace never shows it: it is mounted at a private staging point, copied as a detached mount
/// (open_tree) and unmounted at once; isle-init attaches the copy at RUN/isles/NAME/rootfs in the isle's
/// own mount namespace and pivot_roots there. So no host path leads into an isle's files: an
/// <c>rm -rf</c> of the run directory deletes an empty directory, and no local user reaches its files.
/// On Linux 6.8 and later the overlay is made detached at once (fsopen, fsconfig with one <c>lowerdir+</c> per layer,
/// fsmount): no staging point, no mount in the host at any moment, and no unmount, whose wait for an RCU grace period
/// was the largest part of preparing the root filesystem.
/// </summary>
public sealed class OverlayRootfs(string stateRoot, string runRoot)
{
    public string MountPoint(string isle) => Path.Combine(runRoot, "isles", isle, "rootfs");
    string StagingPoint(string isle) => Path.Combine(runRoot, "isles", isle, ".rootfs-staging");

    /// <summary>The directory that holds the overlay's upper and work directories: the isle's writable layer.</summary>
    public string UpperRoot(string isle) => Path.Combine(stateRoot, "isles", isle, "fs");

    /// <summary>
    /// Equivalent to: mount -t overlay overlay -o lowerdir=L1:L2,upperdir=U,workdir=W, attached nowhere: made so at once
    /// (<see cref="DetachedOptions"/>), else mounted at STAGING, copied detached and umount -l STAGING. The upper
    /// directory is kept, so the isle's writes survive a restart of the isle.
    /// <paramref name="lowerDirs"/> lists the top layer first. <paramref name="owner"/> owns the
    /// writable layer's root: the host ids of the isle's root in a user namespace, so it may write there.
    /// </summary>
    public DetachedRootfs Prepare(string isle, IReadOnlyList<string> lowerDirs, (uint Uid, uint Gid)? owner = null)
    {
        string target = MountPoint(isle), staging = StagingPoint(isle);
        foreach (var dir in lowerDirs)
            if (!Directory.Exists(dir))
                throw new IslanderException($"root filesystem {dir} of isle {isle} is not a directory", ErrorCategory.NotFound);
        // An older islander kept the overlay mounted in the host at the mount point; a crash may have left the staging mount.
        MountInterop.Unmount(target);
        MountInterop.Unmount(staging);

        string upper = Path.Combine(UpperRoot(isle), "upper"), work = Path.Combine(UpperRoot(isle), "work");
        Directory.CreateDirectory(upper);
        Directory.CreateDirectory(work);
        if (owner is { } o)
            FileInterop.Lchown(upper, checked((int)o.Uid), checked((int)o.Gid));
        Directory.CreateDirectory(target);
        if (MountInterop.TryMountDetached("overlay", DetachedOptions(lowerDirs, upper, work)) is { } detached)
            return new DetachedRootfs(target, detached);
        HostDirectory.Ensure(staging, HostDirectory.Private);
        try
        {
            MountInterop.Mount("overlay", staging, "overlay", MountFlags.None, Options(lowerDirs, upper, work));
            return new DetachedRootfs(target, MountInterop.CloneDetached(staging));
        }
        finally
        {
            MountInterop.Unmount(staging);
            Directory.Delete(staging);
        }
    }

    /// <summary>overlayfs mount data; ':' and ',' separate options, so paths holding them are escaped with '\'.</summary>
    internal static string Options(IReadOnlyList<string> lowerDirs, string upper, string work) =>
        $"lowerdir={string.Join(':', lowerDirs.Select(Escape))},upperdir={Escape(upper)},workdir={Escape(work)}";

    /// <summary>
    /// The same overlay as <see cref="Options"/>, as fsconfig keys: one <c>lowerdir+</c> per layer, top first, whose value
    /// the kernel takes as it is (Linux 6.8); upperdir and workdir are unescaped by the kernel as in mount data.
    /// </summary>
    internal static IEnumerable<(string Key, string Value)> DetachedOptions(IReadOnlyList<string> lowerDirs, string upper, string work) =>
        // "source": what mount(8) names it, and so what the isle's mountinfo and df show, as before.
        [("source", "overlay"), .. lowerDirs.Select(dir => ("lowerdir+", dir)), ("upperdir", Escape(upper)), ("workdir", Escape(work))];

    static string Escape(string path) => path.Replace(@"\", @"\\").Replace(":", @"\:").Replace(",", @"\,");

    /// <summary>
    /// Removes the isle's writable layer (into <paramref name="trash"/>, which deletes it in the background). The overlay
    /// itself ends with the isle's mount namespace; an older islander's host mount (or a staging mount a crash left) is
    /// unmounted first. Missing pieces count as removed.
    /// </summary>
    public void Remove(string isle, DirectoryTrash trash)
    {
        string target = MountPoint(isle), staging = StagingPoint(isle);
        MountInterop.Unmount(target);
        MountInterop.Unmount(staging);
        trash.Discard(UpperRoot(isle));
    }
}
