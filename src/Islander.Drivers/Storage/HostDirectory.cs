using Islander.Drivers.Interop;

namespace Islander.Drivers.Storage;

/// <summary>
/// The modes of the directories that hold isle and image content on the host. A setuid-root file an isle wrote (its
/// writable layer) or an image shipped (a layer) is a setuid-root file on the host too: any local user who can reach it
/// by path runs it with euid 0. So no directory on the way to such content is open to other users, as Docker keeps
/// /var/lib/docker 0710 and its layer directories 0700.
/// </summary>
public static class HostDirectory
{
    /// <summary>
    /// 0700: only root. STATE/isles (writable layers, logs) and STATE/images (layers, blobs): only the daemon, which
    /// mounts the overlays as root, goes there.
    /// </summary>
    public const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>
    /// 0711: others may pass through but not list. The state and run roots and RUN/isles: the group that may use the
    /// API socket reaches RUN/islander.sock, and an isle's root remapped by a user namespace reaches its rootfs mount
    /// point (isle-init attaches the rootfs there after it became that user). Nothing below is open to others.
    /// </summary>
    public const UnixFileMode Traverse = Private | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>0710: root, and the group of an isle's remapped root (RUN/isles/NAME), as Docker's remapped root dir.</summary>
    public const UnixFileMode GroupTraverse = Private | UnixFileMode.GroupExecute;

    /// <summary>
    /// Makes <paramref name="path"/> (and missing parents, with the same mode) and sets its mode even when it exists:
    /// a directory an older islander made 0755 is closed at the next start. mkdir applies the umask, so the mode is
    /// never wider than asked, not even for a moment.
    /// </summary>
    public static string Ensure(string path, UnixFileMode mode, int? gid = null)
    {
        Directory.CreateDirectory(path, mode);
        if (gid is { } g)
            FileInterop.Lchown(path, 0, g);
        if (File.GetUnixFileMode(path) != mode)
            File.SetUnixFileMode(path, mode);
        return path;
    }
}
