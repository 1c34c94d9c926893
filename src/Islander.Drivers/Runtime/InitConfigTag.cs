namespace Islander.Drivers.Runtime;

/// <summary>
/// Record tags of the config stream isle-init reads from its control fd (fd 3). Each record is
/// <c>u16 tag, u32 length, payload</c>, little endian; the stream starts with <see cref="Version"/>
/// and ends with <see cref="End"/>. Keep in sync with the <c>TAG_*</c> defines in native/isle-init.c
/// (a unit test compares them).
/// </summary>
public enum InitConfigTag : ushort
{
    /// <summary>Empty payload; isle-init stops reading the config here.</summary>
    End = 0,
    /// <summary>u32 <see cref="InitConfigEncoder.FormatVersion"/>; must be the first record.</summary>
    Version = 1,
    /// <summary>String, repeated, in order.</summary>
    Argv = 2,
    /// <summary>"NAME=value" string, repeated.</summary>
    Env = 3,
    WorkingDir = 4,
    Hostname = 5,
    Rootfs = 6,
    /// <summary>u64 CLONE_NEW* flags.</summary>
    Namespaces = 7,
    /// <summary>u64 flags, u32 options, then source\0 target\0 fstype\0 data\0 ("" for null); repeated, in order.</summary>
    Mount = 8,
    /// <summary>target\0 link\0; repeated, in order.</summary>
    Symlink = 9,
    /// <summary>u32.</summary>
    Uid = 10,
    /// <summary>u32.</summary>
    Gid = 11,
    /// <summary>u32, repeated.</summary>
    AdditionalGid = 12,
    /// <summary>u64 bounding set to keep.</summary>
    Capabilities = 13,
    /// <summary>u8 0 or 1.</summary>
    NoNewPrivileges = 14,
    /// <summary>struct sock_filter[] as bytes.</summary>
    Seccomp = 15,
    StatusPath = 16,
    OomCounterPath = 17,
    /// <summary>u32 host pid: exec mode, join that process's namespaces (<see cref="Namespaces"/>) instead of making an isle.</summary>
    ExecPid = 18,
    /// <summary>u32, always 5: that fd holds the rootfs as a detached mount, which init attaches at <see cref="Rootfs"/> in its own mount namespace.</summary>
    RootfsMount = 19,
    /// <summary>String: the shim writes the isle's stdout and stderr there as Docker's json-file (<see cref="IsleLogTarget.JsonFile"/>).</summary>
    LogPath = 20,
    /// <summary>u64: the size log.json is rotated before it would pass.</summary>
    LogMaxSize = 21,
    /// <summary>u32: files kept, log.json included.</summary>
    LogMaxFiles = 22,
    /// <summary>String: the journal's native socket; each line goes there as a datagram (<see cref="IsleLogTarget.Journal"/>).</summary>
    LogJournal = 23,
    /// <summary>String: the isle's name, a field of each journal entry.</summary>
    LogName = 24,
    /// <summary>u32: exec mode, a terminal from the isle's devpts; isle-init sends its master over fd 5 (SCM_RIGHTS).</summary>
    ExecTty = 25,
    /// <summary>u8 0 or 1: init's stdin is a pipe whose writing end the shim holds for attach clients (<see cref="InitConfig.Stdin"/>).</summary>
    Stdin = 26,
    /// <summary>u8 0 or 1: init's 0-2 are a PTY of the isle's own devpts; the shim holds the master (<see cref="InitConfig.Tty"/>).</summary>
    Tty = 27,
    /// <summary>String: the unix socket the shim serves attach connections on (<see cref="InitConfig.AttachSocket"/>).</summary>
    AttachSocket = 28,
    /// <summary>String, repeated: a v1 <c>tasks</c> file of the isle's group; init starts in these groups (<see cref="InitConfig.CgroupTasksFiles"/>).</summary>
    CgroupTasks = 29,
    /// <summary>String: the isle's cgroup2 directory; init is cloned into it (<see cref="InitConfig.CgroupDirectory"/>).</summary>
    CgroupDir = 30,
    /// <summary>u8 0 or 1: the shim does not fsync the status file (<see cref="InitConfig.StatusUnsynced"/>).</summary>
    StatusUnsynced = 31,
}
