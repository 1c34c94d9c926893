using System.Runtime.InteropServices;
using Islander.Drivers.Rootfs;
using Islander.Drivers.Runtime;

namespace Islander.Drivers.Interop;

/// <summary>mount(2) and umount2(2) in the daemon's own mount namespace.</summary>
internal static partial class MountInterop
{
    public const int MNT_DETACH = 2;
    public const int UMOUNT_NOFOLLOW = 8;

    [LibraryImport("libc", EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MountNative(string? source, string target, string? fstype, ulong flags, string? data);

    [LibraryImport("libc", EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Umount2Native(string target, int flags);

    /// <summary>Equivalent to: mount -t {fstype} -o {data} {source} {target}.</summary>
    public static void Mount(string? source, string target, string? fstype, MountFlags flags, string? data)
    {
        if (MountNative(source, target, fstype, (ulong)flags, data) != 0)
            throw new MountException("mount", source, target, fstype, flags, Marshal.GetLastPInvokeError());
    }

    /// <summary>Equivalent to: umount -l {target}. Returns false when {target} was not mounted.</summary>
    public static bool Unmount(string target)
    {
        if (Umount2Native(target, MNT_DETACH | UMOUNT_NOFOLLOW) == 0)
            return true;
        int errno = Marshal.GetLastPInvokeError();
        // EINVAL: not a mount point; ENOENT: already gone. Both mean "already done".
        if (errno is 22 or 2)
            return false;
        throw new MountException("umount2", null, target, null, MountFlags.None, errno);
    }
}
