using Islander.Drivers.Users;

namespace Islander.Drivers.Runtime;

/// <summary>
/// What isle-init's exec mode needs to run one more process in a running isle: whose namespaces to join
/// (<see cref="Pid"/>, the isle's init) and the confinement the isle's init got (<see cref="IsleExecProfile"/>),
/// with the command, environment, working directory and user of this exec.
/// </summary>
public sealed record ExecConfig
{
    /// <summary>Host pid of the isle's init.</summary>
    public required int Pid { get; init; }
    public required IReadOnlyList<string> Argv { get; init; }
    public IReadOnlyList<string> Env { get; init; } = [];
    public string WorkingDir { get; init; } = "/";

    /// <summary>The isle's namespaces, all joined.</summary>
    public required NamespaceFlags Namespaces { get; init; }
    public IsleUser User { get; init; } = IsleUser.Root;
    public ulong Capabilities { get; init; }
    public bool NoNewPrivileges { get; init; } = true;
    public byte[]? SeccompFilter { get; init; }

    /// <summary>A stdin pipe (<see cref="ExecRequest.Stdin"/>).</summary>
    public bool Stdin { get; init; }

    /// <summary>A terminal from the isle's devpts (<see cref="ExecRequest.Tty"/>), of <see cref="Size"/> at start.</summary>
    public bool Tty { get; init; }

    public TerminalSize? Size { get; init; }

    /// <summary>The isle's v1 <c>tasks</c> files: the process joins these groups itself (as init, <see cref="InitConfig.CgroupTasksFiles"/>).</summary>
    public IReadOnlyList<string> CgroupTasksFiles { get; init; } = [];

    /// <summary>The isle's cgroup2 group: the process is cloned into it (as init, <see cref="InitConfig.CgroupDirectory"/>).</summary>
    public string? CgroupDirectory { get; init; }
}
