using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

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

    // open_tree(2), Linux 5.2: the same number on every architecture (the new syscall table).
    const long SysOpenTree = 428;
    const uint OPEN_TREE_CLONE = 1;
    const uint OPEN_TREE_CLOEXEC = 0x80000; // O_CLOEXEC
    const uint AT_SYMLINK_NOFOLLOW = 0x100;
    const uint AT_RECURSIVE = 0x8000;
    const int AT_FDCWD = -100;

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial long OpenTreeNative(long number, long dirfd, string path, long flags);

    /// <summary>
    /// open_tree(AT_FDCWD, {path}, OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC): a copy of the mount at {path} that is attached
    /// nowhere, held by the returned fd; it lives on after {path} is unmounted, until the fd is closed or the copy
    /// is attached with move_mount.
    /// </summary>
    public static SafeFileHandle CloneDetached(string path) => new(CloneDetached(path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC), ownsHandle: true);

    /// <summary>
    /// The directory at {path} as a detached bind mount, as a plain fd: the launcher hands it to isle-init by number
    /// and closes it with its other spawn fds (open_tree OPEN_TREE_CLONE, with AT_RECURSIVE the mounts
    /// below it too, as an rbind): what a bind of {path} would mount, held by the returned fd. {path} itself must not
    /// be a symlink (AT_SYMLINK_NOFOLLOW).
    /// </summary>
    public static int CloneDetachedDirectory(string path, bool recursive) =>
        CloneDetached(path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_SYMLINK_NOFOLLOW | (recursive ? AT_RECURSIVE : 0));

    static int CloneDetached(string path, uint flags)
    {
        long fd = OpenTreeNative(SysOpenTree, AT_FDCWD, path, flags);
        if (fd < 0)
            throw new MountException("open_tree", null, path, null, MountFlags.None, Errno.Last);
        return (int)fd;
    }

    // The mount API of Linux 5.2 (the same numbers on every architecture): a filesystem made and mounted nowhere.
    const long SysFsopen = 430, SysFsconfig = 431, SysFsmount = 432;
    const uint FSOPEN_CLOEXEC = 1, FSMOUNT_CLOEXEC = 1;
    const uint FSCONFIG_SET_STRING = 1, FSCONFIG_CMD_CREATE = 6;

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial long FsopenNative(long number, string fstype, long flags);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial long FsconfigNative(long number, long fd, long cmd, string? key, string? value, long aux);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long FsmountNative(long number, long fd, long flags, long attributes);

    /// <summary>
    /// fsopen({fstype}), fsconfig of each option in order, fsmount: a new {fstype} mount attached nowhere, held by the
    /// returned fd, as <see cref="CloneDetached(string)"/> gives, without a mount point in the host and without the
    /// unmount (and its wait for an RCU grace period) that a staging mount costs. Null when this kernel refuses any step
    /// (no such syscall, an option it does not know, a value over fsconfig's 255 bytes): the caller mounts the old way,
    /// which reports a real error by itself.
    /// </summary>
    public static SafeFileHandle? TryMountDetached(string fstype, IEnumerable<(string Key, string Value)> options)
    {
        long fs = FsopenNative(SysFsopen, fstype, FSOPEN_CLOEXEC);
        if (fs < 0)
            return null;
        using var context = new SafeFileHandle(checked((nint)fs), ownsHandle: true);
        foreach (var (key, value) in options)
            if (FsconfigNative(SysFsconfig, fs, FSCONFIG_SET_STRING, key, value, 0) < 0)
                return null;
        if (FsconfigNative(SysFsconfig, fs, FSCONFIG_CMD_CREATE, null, null, 0) < 0)
            return null;
        long mount = FsmountNative(SysFsmount, fs, FSMOUNT_CLOEXEC, 0);
        return mount < 0 ? null : new SafeFileHandle(checked((nint)mount), ownsHandle: true);
    }

    /// <summary>Equivalent to: mount -t {fstype} -o {data} {source} {target}.</summary>
    public static void Mount(string? source, string target, string? fstype, MountFlags flags, string? data)
    {
        if (MountNative(source, target, fstype, (ulong)flags, data) != 0)
            throw new MountException("mount", source, target, fstype, flags, Errno.Last);
    }

    /// <summary>Equivalent to: umount -l {target}. Returns false when {target} was not mounted.</summary>
    public static bool Unmount(string target)
    {
        if (Umount2Native(target, MNT_DETACH | UMOUNT_NOFOLLOW) == 0)
            return true;
        int errno = Errno.Last;
        // EINVAL: not a mount point; ENOENT: already gone. Both mean "already done".
        if (errno is Errno.EINVAL or Errno.ENOENT)
            return false;
        throw new MountException("umount2", null, target, null, MountFlags.None, errno);
    }
}
