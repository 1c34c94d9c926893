namespace Islander.Model;

/// <summary>
/// The desired shape of one isle (spec of a <c>kind: Isle</c> manifest), already validated and
/// with quantities parsed. Field names are the manifest's (examples/, src/Islander.Model/README.md).
/// </summary>
public sealed record IsleSpec
{
    /// <summary>OCI image reference; exactly one of <see cref="Image"/> and <see cref="Rootfs"/> is set.</summary>
    public string? Image { get; init; }

    /// <summary>A root filesystem directory on the host, used read-only as the overlay's lower layer.</summary>
    public string? Rootfs { get; init; }

    /// <summary>Replaces the image's entrypoint (Docker's <c>--entrypoint</c>, Kubernetes' <c>command</c>).</summary>
    public IReadOnlyList<string> Command { get; init; } = [];

    /// <summary>Replaces the image's cmd (Kubernetes' <c>args</c>).</summary>
    public IReadOnlyList<string> Args { get; init; } = [];

    public IReadOnlyList<EnvVar> Env { get; init; } = [];
    public string? WorkingDir { get; init; }

    /// <summary>Defaults to the isle's name.</summary>
    public string? Hostname { get; init; }

    /// <summary>Docker's forms: <c>name</c>, <c>uid</c>, <c>name:group</c>, <c>uid:gid</c>, ... resolved against the isle's own /etc/passwd and /etc/group at start; null means the image's user, or root.</summary>
    public string? User { get; init; }

    public RestartPolicy RestartPolicy { get; init; } = RestartPolicy.Always;
    public IsleResources Resources { get; init; } = new();
    public IsleSecurity Security { get; init; } = new();
    /// <summary>
    /// Share the host's network namespace (Kubernetes' <c>hostNetwork: true</c>, Docker's <c>--network host</c>).
    /// Excludes <see cref="Networks"/> and <see cref="Ports"/>. An isle with neither gets its own network namespace
    /// with only loopback (Docker's <c>--network none</c>).
    /// </summary>
    public bool HostNetwork { get; init; }

    public IReadOnlyList<NetworkAttachment> Networks { get; init; } = [];
    public IReadOnlyList<PortMapping> Ports { get; init; } = [];
    public IReadOnlyList<VolumeMount> Volumes { get; init; } = [];
    /// <summary>Every isle this one depends on, whatever the condition: the start order, cycles and prune order follow it.</summary>
    public IReadOnlyList<string> DependsOn { get; init; } = [];

    /// <summary>
    /// The names in <see cref="DependsOn"/> written with <c>condition: Healthy</c>: a first start waits until they are
    /// healthy, not only running. Left out of <see cref="SpecHash"/>: it decides only when a start may begin.
    /// </summary>
    public IReadOnlyList<string> HealthyDependencies { get; init; } = [];

    /// <summary>Checked while the isle runs; null: none. An edit is applied without a restart (<see cref="IsleSpecRules"/>).</summary>
    public IsleHealthCheck? Healthcheck { get; init; }

    /// <summary>Signal sent on stop before SIGKILL (Docker's default: SIGTERM = 15).</summary>
    public int StopSignal { get; init; } = 15;

    /// <summary>Time between the stop signal and SIGKILL (Docker's default: 10 s).</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Where stdout and stderr go and how much of them is kept; null: json-file with the daemon's limits.</summary>
    public IsleLogging? Logging { get; init; }

    /// <summary>How a spec change is rolled out (health gate, rollback, volume snapshots); null: applied with no gate.</summary>
    public IsleUpdate? Update { get; init; }

    /// <summary>
    /// Keep PID 1's stdin open (Docker's <c>-i</c>, Kubernetes' <c>stdin</c>): its shim holds the writing end, which
    /// attach clients write to (<c>islanderctl attach</c>, <c>run -i</c>); false: stdin is /dev/null.
    /// </summary>
    public bool Stdin { get; init; }

    /// <summary>
    /// PID 1 runs on a terminal (Docker's <c>-t</c>, Kubernetes' <c>tty</c>): a PTY from the isle's own devpts, whose
    /// master its shim holds, so the isle keeps it across daemon restarts; its output goes to the log as stdout.
    /// </summary>
    public bool Tty { get; init; }
}

public sealed record EnvVar(string Name, string Value);

public enum RestartPolicy { Always, OnFailure, Never }

/// <summary>
/// cgroup limits and the writable layer's size. Null means "not set": the kernel's default (unlimited) applies, except
/// for <see cref="Pids"/>, which has a default of its own.
/// </summary>
public sealed record IsleResources
{
    /// <summary>
    /// The task limit of an isle that sets none: Podman's default (Docker and Kubernetes set none). Without one a fork bomb
    /// in one isle takes every pid the host has (kernel.pid_max, often 32768 or 4194304) and the host can no longer
    /// start a process; 2048 tasks (threads count) is more than nearly any service runs.
    /// </summary>
    public const long DefaultPids = 2048;

    /// <summary>Hard memory limit in bytes; swap is not granted beyond it (as Kubernetes).</summary>
    public long? Memory { get; init; }

    /// <summary>CPUs in millicores (0.5 = 500). Turned into quota = cpu * period.</summary>
    public long? CpuMillis { get; init; }

    /// <summary>Relative weight, cgroup v1 cpu.shares units (2..262144); v2 converts to cpu.weight.</summary>
    public long? CpuShares { get; init; }

    /// <summary>CFS period in µs (default 100000 when a quota is set).</summary>
    public long? CpuPeriod { get; init; }

    /// <summary>CFS quota in µs; the raw form of <see cref="CpuMillis"/>.</summary>
    public long? CpuQuota { get; init; }

    /// <summary>cpuset list, e.g. "0", "0-1", "0,2".</summary>
    public string? Cpuset { get; init; }

    /// <summary>Maximum number of tasks (processes and threads); 0 = unlimited (<c>pids: max</c> or <c>pids: 0</c>).</summary>
    public long Pids { get; init; } = DefaultPids;

    /// <summary>
    /// Bytes the isle may write to its root filesystem (its overlay's upper layer), as Docker's <c>--storage-opt size=</c>:
    /// a project quota on the layer's directory, so a write past it fails with ENOSPC. Null: no limit (the default).
    /// </summary>
    public long? Disk { get; init; }

    public IReadOnlyList<IoLimit> Io { get; init; } = [];

    /// <summary>
    /// When the OOM killer picks a process of the isle, it kills every process of the isle with it (cgroup v2's
    /// memory.oom.group = 1, as Kubernetes sets since 1.28), so no half-killed service is left running. cgroup v2 only:
    /// v1 has no such file, and a manifest that sets it is refused there (<see cref="DriverCatalog.OomGroup"/>).
    /// </summary>
    public bool OomGroup { get; init; }
}

/// <summary>Block IO throttle on one device (a path such as /dev/vda, resolved to major:minor by the driver).</summary>
public sealed record IoLimit(string Device, long? ReadBps = null, long? WriteBps = null, long? ReadIops = null, long? WriteIops = null);

/// <summary>Security settings; the defaults are Docker's.</summary>
public sealed record IsleSecurity
{
    /// <summary>All capabilities, no seccomp, no masked paths, all devices (Docker's --privileged).</summary>
    public bool Privileged { get; init; }

    /// <summary>Capability names without the CAP_ prefix, e.g. NET_ADMIN; "ALL" allowed.</summary>
    public IReadOnlyList<string> CapAdd { get; init; } = [];
    public IReadOnlyList<string> CapDrop { get; init; } = [];

    /// <summary>Seccomp profile: "default" (Docker's), "unconfined", or a path to a Docker-format JSON profile.</summary>
    public string Seccomp { get; init; } = "default";

    /// <summary>Opt-in user namespace; null shares the host's user namespace (as Docker's default).</summary>
    public UserNamespace? UserNamespace { get; init; }

    public bool ReadOnlyRootFilesystem { get; init; }

    /// <summary>
    /// Sets no_new_privs on the isle's processes, so setuid and file capabilities no longer raise privileges (Docker's
    /// <c>--security-opt no-new-privileges</c>, Kubernetes' <c>allowPrivilegeEscalation: false</c>). Off by default, as in
    /// Docker, Podman and Kubernetes: setuid programs (su, ping, sudo) work inside isles as there.
    /// </summary>
    public bool NoNewPrivileges { get; init; }
}

/// <summary>uid/gid maps of a user namespace, in /proc/PID/uid_map form.</summary>
public sealed record UserNamespace(IReadOnlyList<IdMapping> UidMappings, IReadOnlyList<IdMapping> GidMappings);

public sealed record IdMapping(long ContainerId, long HostId, long Size);

public sealed record NetworkAttachment(string Name, string? Ip = null);

public enum PortProtocol { Tcp, Udp }

public sealed record PortMapping(int ContainerPort, int HostPort, PortProtocol Protocol = PortProtocol.Tcp, string? HostIp = null);

/// <summary>One mount into the isle; exactly one of Name (a Volume object), HostPath, Tmpfs and ConfigFile is set.</summary>
public sealed record VolumeMount
{
    public required string MountPath { get; init; }
    public string? Name { get; init; }
    public string? HostPath { get; init; }
    public TmpfsOptions? Tmpfs { get; init; }
    public bool ReadOnly { get; init; }

    /// <summary>
    /// A file that travels with the manifest, as written (<c>nginx.conf</c>, <c>conf/app.ini</c>): relative to the
    /// manifest's directory and inside its tree (the manifests directory, or a source's tree). The isle sees it
    /// read-only at <see cref="MountPath"/>; its content is <see cref="ConfigData"/>.
    /// </summary>
    public string? ConfigFile { get; init; }

    /// <summary>
    /// The content of <see cref="ConfigFile"/>, base64: read from the tree by the daemon, or sent by
    /// <c>islanderctl apply</c> from the file beside the manifest. Part of the spec (a new content is a new generation),
    /// classified by <see cref="IsleSpecRules"/> so that a change is a signal or a restart, never a recreate.
    /// </summary>
    public string? ConfigData { get; init; }

    /// <summary>
    /// What a new <see cref="ConfigData"/> takes (<c>onChange</c>): the signal sent to the isle's PID 1 once the new content is
    /// in place (<c>{signal: HUP}</c>, same process), or null for a restart (<c>onChange: restart</c>, the default).
    /// </summary>
    public int? ReloadSignal { get; init; }
}

public sealed record TmpfsOptions(long? Size = null, int? Mode = null);
