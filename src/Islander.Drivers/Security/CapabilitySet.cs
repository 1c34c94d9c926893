namespace Islander.Drivers.Security;

/// <summary>
/// A set of Linux capabilities as the u64 mask isle-init keeps in the bounding set: bit n is
/// capability n of linux/capability.h (CAP_CHOWN = 0 ... CAP_CHECKPOINT_RESTORE = 40).
/// <see cref="CapabilityNames"/> maps bits to the kernel's names.
/// </summary>
[Flags]
public enum CapabilitySet : ulong
{
    None = 0,
    Chown = 1UL << 0,
    DacOverride = 1UL << 1,
    DacReadSearch = 1UL << 2,
    Fowner = 1UL << 3,
    Fsetid = 1UL << 4,
    Kill = 1UL << 5,
    Setgid = 1UL << 6,
    Setuid = 1UL << 7,
    Setpcap = 1UL << 8,
    LinuxImmutable = 1UL << 9,
    NetBindService = 1UL << 10,
    NetBroadcast = 1UL << 11,
    NetAdmin = 1UL << 12,
    NetRaw = 1UL << 13,
    IpcLock = 1UL << 14,
    IpcOwner = 1UL << 15,
    SysModule = 1UL << 16,
    SysRawio = 1UL << 17,
    SysChroot = 1UL << 18,
    SysPtrace = 1UL << 19,
    SysPacct = 1UL << 20,
    SysAdmin = 1UL << 21,
    SysBoot = 1UL << 22,
    SysNice = 1UL << 23,
    SysResource = 1UL << 24,
    SysTime = 1UL << 25,
    SysTtyConfig = 1UL << 26,
    Mknod = 1UL << 27,
    Lease = 1UL << 28,
    AuditWrite = 1UL << 29,
    AuditControl = 1UL << 30,
    Setfcap = 1UL << 31,
    MacOverride = 1UL << 32,
    MacAdmin = 1UL << 33,
    Syslog = 1UL << 34,
    WakeAlarm = 1UL << 35,
    BlockSuspend = 1UL << 36,
    AuditRead = 1UL << 37,
    Perfmon = 1UL << 38,
    Bpf = 1UL << 39,
    CheckpointRestore = 1UL << 40,

    /// <summary>Every capability islander knows (0..40); a kernel without some of them ignores those bits.</summary>
    All = (1UL << 41) - 1,
}
