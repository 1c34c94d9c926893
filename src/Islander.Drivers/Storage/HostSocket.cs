using Islander.Drivers.Interop;

namespace Islander.Drivers.Storage;

/// <summary>The API socket's owner and mode.</summary>
public static class HostSocket
{
    /// <summary>
    /// root:<paramref name="gid"/> 0660: root and one group may connect (connect(2) on a unix socket needs write
    /// permission on it), as dockerd's socket and its docker group. Equivalent to: chown -h 0:GID PATH; chmod 0660 PATH.
    /// </summary>
    public static void Restrict(string path, int gid)
    {
        FileInterop.Lchown(path, 0, gid);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
    }
}
