using Islander.Drivers.Interop;

namespace Islander.Drivers.Rootfs;

/// <summary>
/// An isle's root filesystem as a mount attached nowhere in the host (open_tree): only the fd holds it, until isle-init
/// attaches it at <see cref="MountPoint"/> in the isle's own mount namespace. The daemon closes its fd once isle-init
/// has its copy.
/// </summary>
public sealed class DetachedRootfs(string mountPoint, int fd) : IDisposable
{
    int _fd = fd;

    /// <summary>The empty directory in the host where isle-init attaches the mount, in the isle's namespace only.</summary>
    public string MountPoint { get; } = mountPoint;

    public int Fd => _fd >= 0 ? _fd : throw new ObjectDisposedException(nameof(DetachedRootfs));

    /// <summary>A path to the mount's root for the daemon's own reads (/etc/passwd with openat2 RESOLVE_IN_ROOT).</summary>
    public string RootPath => $"/proc/self/fd/{Fd}";

    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
            FileDescriptor.Close(fd);
    }
}
