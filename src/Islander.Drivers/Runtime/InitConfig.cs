using Islander.Drivers.Rootfs;

namespace Islander.Drivers.Runtime;

/// <summary>Namespaces the isle's init is cloned into (linux/sched.h CLONE_NEW*).</summary>
[Flags]
public enum NamespaceFlags : ulong
{
    None = 0,
    Mount = 0x00020000,   // CLONE_NEWNS
    Cgroup = 0x02000000,  // CLONE_NEWCGROUP (unshared after cgroup placement, so the isle's cgroup is its root)
    Uts = 0x04000000,     // CLONE_NEWUTS
    Ipc = 0x08000000,     // CLONE_NEWIPC
    User = 0x10000000,    // CLONE_NEWUSER
    Pid = 0x20000000,     // CLONE_NEWPID
    Network = 0x40000000, // CLONE_NEWNET
}

/// <summary>
/// Everything isle-init needs to turn itself into the isle's process: the binary config it reads
/// from its config fd. Built from an <see cref="Islander.Model.IsleSpec"/> by pure code; isle-init
/// never parses YAML and never decides policy.
/// </summary>
public sealed record InitConfig
{
    /// <summary>argv of the isle's process; argv[0] is looked up in the isle's PATH if it has no '/'.</summary>
    public required IReadOnlyList<string> Argv { get; init; }

    /// <summary>"NAME=value" entries, the whole environment.</summary>
    public IReadOnlyList<string> Env { get; init; } = [];

    public string WorkingDir { get; init; } = "/";
    public string? Hostname { get; init; }

    /// <summary>Absolute host path of the prepared root filesystem (the overlay mount point).</summary>
    public required string Rootfs { get; init; }

    public NamespaceFlags Namespaces { get; init; }

    /// <summary>In order, before pivot_root.</summary>
    public IReadOnlyList<MountOp> Mounts { get; init; } = [];

    /// <summary>After the mounts, before pivot_root.</summary>
    public IReadOnlyList<SymlinkOp> Symlinks { get; init; } = [];

    public uint Uid { get; init; }
    public uint Gid { get; init; }
    public IReadOnlyList<uint> AdditionalGids { get; init; } = [];

    /// <summary>Capabilities kept in the bounding set (bit n = capability n); all others are dropped.</summary>
    public ulong Capabilities { get; init; }

    public bool NoNewPrivileges { get; init; } = true;

    /// <summary>A classic BPF program (struct sock_filter[], 8 bytes each) installed right before execve; null for none.</summary>
    public byte[]? SeccompFilter { get; init; }

    /// <summary>
    /// The daemon's fd of the rootfs as a detached mount (<see cref="Rootfs.OverlayRootfs.Prepare"/>), or -1 when
    /// <see cref="Rootfs"/> is already mounted. The launcher hands it to isle-init as fd 5 and no one else.
    /// </summary>
    public int RootfsMountFd { get; init; } = -1;

    /// <summary>File where the shim writes the exit status when the isle's init ends.</summary>
    public required string StatusPath { get; init; }

    /// <summary>
    /// The shim writes the status file without an fsync: for an isle whose status no one reads after a host crash
    /// (<see cref="IsleRuntime.SyncExitStatus"/> false: <c>islanderctl run --no-daemon</c>, whose isle goes with its
    /// process). Otherwise the fsync keeps the exit code of an isle that ended just before a crash readable on a run
    /// directory on disk.
    /// </summary>
    public bool StatusUnsynced { get; init; }

    /// <summary>
    /// cgroup file holding an "oom_kill N" line (v1 memory.oom_control, v2 memory.events); the shim
    /// reads it before init runs and again when init ends: a rise means the OOM killer killed a process of the isle
    /// during the run (<see cref="IsleExitStatus.OomKilled"/>), whichever process it was. The shim, not the daemon,
    /// holds the count from the start, so a daemon restarted meanwhile reads the verdict from the status file. Null: no
    /// memory cgroup.
    /// </summary>
    public string? OomCounterPath { get; init; }

    /// <summary>
    /// Where the shim writes the isle's stdout and stderr, read from two pipes; null: the isle gets the launcher's
    /// 0-2 as they are (<see cref="IsleStdio.Inherit"/>). Set by the launcher from its <see cref="IsleStdio"/>.
    /// </summary>
    public IsleLogTarget? Log { get; init; }

    /// <summary>The spec's <c>stdin</c>: init's stdin is a pipe the shim keeps open and attach clients write to.</summary>
    public bool Stdin { get; init; }

    /// <summary>The spec's <c>tty</c>: init's 0-2 are a PTY from the isle's own devpts; the shim holds its master.</summary>
    public bool Tty { get; init; }

    /// <summary>
    /// With <see cref="Stdin"/> or <see cref="Tty"/>: where the shim serves attach connections (<see cref="RuntimePaths.AttachSocket"/>).
    /// Needs <see cref="Log"/> (the shim copies what it reads from the isle there too).
    /// </summary>
    public string? AttachSocket { get; init; }

    /// <summary>
    /// v1: the <c>tasks</c> files of the isle's groups (<see cref="Cgroups.CgroupPaths.JoinTasksFiles"/>). isle-init's
    /// helper moves itself into them and clones init there, so init starts in its groups and the daemon writes no
    /// cgroup.procs. Empty: the daemon places init before SYNC_GO.
    /// </summary>
    public IReadOnlyList<string> CgroupTasksFiles { get; init; } = [];

    /// <summary>The isle's cgroup2 group, which init is cloned into (CLONE_INTO_CGROUP); null: none, or the daemon places init.</summary>
    public string? CgroupDirectory { get; init; }
}
