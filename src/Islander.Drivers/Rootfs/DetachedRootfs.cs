using Microsoft.Win32.SafeHandles;

namespace Islander.Drivers.Rootfs;

/// <summary>
/// An isle's root filesystem as a mount attached nowhere in the host (open_tree): only the fd holds it, until isle-init
/// attaches it at <see cref="MountPoint"/> in the isle's own mount namespace. The daemon closes its fd once isle-init
/// has its copy.
/// </summary>
public sealed class DetachedRootfs(string mountPoint, SafeFileHandle fd) : IDisposable
{

    /// <summary>The empty directory in the host where isle-init attaches the mount, in the isle's namespace only.</summary>
    public string MountPoint { get; } = mountPoint;

    /// <summary>The fd number isle-init gets a copy of: valid until Dispose.</summary>
    public int Fd => fd.IsClosed ? throw new ObjectDisposedException(nameof(DetachedRootfs)) : (int)fd.DangerousGetHandle();

    /// <summary>A path to the mount's root for the daemon's own reads (/etc/passwd with openat2 RESOLVE_IN_ROOT).</summary>
    public string RootPath => $"/proc/self/fd/{Fd}";

    public void Dispose() => fd.Dispose();
}
