namespace Islander.Drivers.Security;

/// <summary>
/// Values a seccomp filter returns (linux/seccomp.h SECCOMP_RET_*). The low 16 bits
/// (<see cref="DataMask"/>) carry the errno for <see cref="Errno"/> and the message for <see cref="Trace"/>.
/// </summary>
[Flags]
public enum SeccompReturn : uint
{
    KillThread = 0x00000000,
    KillProcess = 0x80000000,
    Trap = 0x00030000,
    Errno = 0x00050000,
    UserNotif = 0x7FC00000,
    Trace = 0x7FF00000,
    Log = 0x7FFC0000,
    Allow = 0x7FFF0000,

    ActionMask = 0xFFFF0000,
    DataMask = 0x0000FFFF,
}
