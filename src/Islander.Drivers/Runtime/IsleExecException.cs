using Islander.Drivers.Interop;
using Islander.Model;

namespace Islander.Drivers.Runtime;

/// <summary>
/// isle-init could not run an exec'd command: the step (<see cref="Op"/>), its path and errno, printed like runc:
/// <c>exec: execve /bin/nope: ENOENT (No such file or directory)</c>. <see cref="Op"/> <c>execve</c> is the command's
/// fault (127 for ENOENT, 126 otherwise, as shells); any other step is islander's.
/// </summary>
public sealed class IsleExecException : IslanderException
{
    public IsleExecException(string op, string? path, int errno)
        : this(new SyscallException(op, path, errno))
    {
    }

    IsleExecException(SyscallException inner)
        : base($"exec: {inner.Message}", inner.Category, inner)
    {
        Op = inner.Op;
        Path = inner.Path;
        Errno = inner.Errno;
    }

    public IsleExecException(string message)
        : base($"exec: {message}", ErrorCategory.Unknown)
    {
        Op = "";
    }

    public string Op { get; }
    public string? Path { get; }
    public int Errno { get; }

    /// <summary>The command itself could not be executed (execve failed).</summary>
    public bool CommandFailed => Op == "execve";

    /// <summary>Docker's and the shells' code: 127 command not found, 126 not executable; 125 when islander failed.</summary>
    public int ExitCode => !CommandFailed ? 125 : Errno == 2 /* ENOENT */ ? 127 : 126;
}
