namespace Islander.Drivers.Interop;

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
