namespace Islander.Drivers.Runtime;

/// <summary>mount(2) flags (linux/mount.h), as isle-init passes them on.</summary>
[Flags]
public enum MountFlags : ulong
{
    None = 0,
    ReadOnly = 1,          // MS_RDONLY
    NoSuid = 2,            // MS_NOSUID
    NoDev = 4,             // MS_NODEV
    NoExec = 8,            // MS_NOEXEC
    Remount = 32,          // MS_REMOUNT
    NoAtime = 1024,        // MS_NOATIME
    Bind = 4096,           // MS_BIND
    Recursive = 16384,     // MS_REC
    Private = 1 << 18,     // MS_PRIVATE
    Slave = 1 << 19,       // MS_SLAVE
    StrictAtime = 1 << 24, // MS_STRICTATIME
}

/// <summary>What isle-init does for a <see cref="MountOp"/> besides mount(2) itself.</summary>
[Flags]
public enum MountOpOptions : uint
{
    None = 0,
    /// <summary>mkdir -p the target first.</summary>
    CreateDir = 1,
    /// <summary>Create the target as an empty file (and its parents) first: for binds of files.</summary>
    CreateFile = 2,
    /// <summary>Skip silently when the target does not exist (masked paths the kernel may lack).</summary>
    Optional = 4,
    /// <summary>Fail ("mount on /proc", EPERM) when the target, resolved in the root, is on procfs: volumes.</summary>
    NotOnProc = 8,
    /// <summary>
    /// <see cref="MountOp.Source"/> is a host directory that the launcher opens as a detached copy
    /// (open_tree(OPEN_TREE_CLONE), recursive with <see cref="MountFlags.Recursive"/>) and hands to isle-init as an fd;
    /// isle-init attaches it on the target with move_mount (the flags, fstype and data are not used). No path into it
    /// is needed in the isle's namespace, so the directory may be closed to every user but root (named volumes).
    /// </summary>
    SourceFd = 16,
}

/// <summary>
/// One "serialized mount syscall" (containerd's term) that isle-init performs in the isle's mount
/// namespace before pivot_root. <see cref="Target"/> is relative to the isle's root filesystem
/// ("" is the root itself); <see cref="Source"/> is a host path (or a filesystem name such as "proc"), which
/// isle-init receives as an fd instead with <see cref="MountOpOptions.SourceFd"/>.
/// </summary>
public sealed record MountOp(
    string? Source,
    string Target,
    string? FsType,
    MountFlags Flags,
    string? Data = null,
    MountOpOptions Options = MountOpOptions.None);

/// <summary>symlink(2) in the isle's root, after the mounts: <c>ln -s Target Link</c>.</summary>
public sealed record SymlinkOp(string Target, string Link);
