using Islander.Model;

namespace Islander.Drivers.Rootfs;

/// <summary>
/// The isle's /proc must be a directory of its root, not a link. isle-init mounts procfs and the masks where /proc
/// resolves inside the root, but the read-only binds of /proc/sys, /proc/sysrq-trigger and the rest take their
/// source by the host path of the rootfs, where an absolute link such as /proc -> /tmp/x reads as the host's /tmp/x:
/// the isle would get a host directory in place of its /proc/sys, or fail to start with an obscure EINVAL. runc
/// refuses a /proc link for the same reason (CVE-2023-28642), and so does this, with an error that says so.
/// </summary>
public static class ProcMountPoint
{
    /// <param name="root">The isle's root as the daemon sees it (its detached mount's /proc/self/fd/N).</param>
    /// <exception cref="IslanderException">InvalidManifest: /proc in the image is a symbolic link.</exception>
    public static void Require(string root)
    {
        // lstat of the entry itself: only the root (a magic link to the detached mount) is followed, not /proc.
        var proc = new FileInfo(Path.Combine(root, "proc"));
        if (proc.LinkTarget is { } target)
            throw new IslanderException(
                $"the image's /proc is a symbolic link (to \"{target}\"); the isle's procfs needs a directory there: make /proc a directory in the image",
                ErrorCategory.InvalidManifest);
    }
}
