namespace Islander.Drivers.Runtime;

/// <summary>
/// One <c>exec</c> into a running isle: the command, and what differs from the isle's own process. The rest (namespaces,
/// cgroup, capabilities, no_new_privs, seccomp, environment) is the isle's (<see cref="IsleExecProfile"/>).
/// </summary>
public sealed record ExecRequest
{
    /// <summary>argv; argv[0] is looked up in the isle's PATH when it has no '/'.</summary>
    public required IReadOnlyList<string> Command { get; init; }

    /// <summary>"NAME=value" entries added to (and overriding) the isle's environment.</summary>
    public IReadOnlyList<string> Env { get; init; } = [];

    /// <summary>Docker's user forms, resolved in the isle's own /etc/passwd and /etc/group; null: the isle's user.</summary>
    public string? User { get; init; }

    /// <summary>Absolute path in the isle; null: the isle's working directory. Must exist.</summary>
    public string? WorkingDir { get; init; }

    /// <summary>A stdin pipe the caller writes to (<c>-i</c>, <see cref="IProcessInput"/>); else /dev/null.</summary>
    public bool Stdin { get; init; }

    /// <summary>
    /// A terminal (<c>-t</c>): a pty from the isle's own devpts, its slave the process's stdin, stdout, stderr and
    /// controlling terminal; all output comes as stdout.
    /// </summary>
    public bool Tty { get; init; }

    /// <summary>The terminal's size at start (with <see cref="Tty"/>); null: the kernel's 0x0 until a resize.</summary>
    public TerminalSize? Size { get; init; }
}

/// <summary>A terminal's size in character cells (<c>struct winsize</c>).</summary>
public readonly record struct TerminalSize(ushort Rows, ushort Cols);

/// <summary>Which of the exec'd process's outputs a chunk comes from.</summary>
public enum ExecStream
{
    Stdout = 1,
    Stderr = 2,
}

/// <summary>How an exec'd process ended: its exit code, or the signal that killed it (0: none).</summary>
public sealed record ExecResult(int ExitCode, int Signal)
{
    /// <summary>The code shells report: the exit code, or 128 + signal.</summary>
    public int ShellCode => Signal != 0 ? 128 + Signal : ExitCode;
}

/// <summary>Receives the exec'd process's output, one chunk at a time, never concurrently.</summary>
public delegate ValueTask ExecOutput(ExecStream stream, ReadOnlyMemory<byte> data, CancellationToken ct);
