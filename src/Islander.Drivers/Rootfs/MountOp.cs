using Islander.Drivers.Interop;

namespace Islander.Drivers.Rootfs;

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
