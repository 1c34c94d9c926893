using Islander.Drivers.Interop;

namespace Islander.Drivers.Rootfs;

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
