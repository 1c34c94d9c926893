using Islander.Drivers.Interop;
using Islander.Model;

namespace Islander.Drivers.Runtime;

/// <summary>
/// isle-init could not turn into an isle's process: the step (<see cref="Op"/>), its path and errno, printed like runc:
/// <c>start isle: execve /bin/nope: ENOENT (No such file or directory)</c>. <see cref="Op"/> <c>execve</c> is the
/// command's fault (127 for ENOENT, 126 otherwise, as shells); any other step is islander's (125).
/// </summary>
public abstract class IsleProcessException : IslanderException
{
    private protected IsleProcessException(string what, SyscallException inner, ErrorCategory? category = null)
        : base($"{what}: {inner.Message}", category ?? inner.Category, inner)
    {
        Op = inner.Op;
        Path = inner.Path;
        Errno = inner.Errno;
    }

    private protected IsleProcessException(string what, string message, Exception? inner)
        : base($"{what}: {message}", ErrorCategory.Unknown, inner)
    {
        Op = "";
    }

    /// <summary>
    /// A working directory that cannot be entered, or a volume whose path leads into /proc, is the spec's, the image's
    /// or the request's fault: trying again meets the same file or link, so it is InvalidManifest (not retried, 422
    /// for an exec), unless the errno says "try again". Null: the errno's own category.
    /// </summary>
    private protected static ErrorCategory? SpecCategory(string op, int errno) => op switch
    {
        "chdir" when errno is not (Interop.Errno.EINTR or Interop.Errno.EAGAIN or Interop.Errno.ENOMEM or Interop.Errno.EBUSY) => ErrorCategory.InvalidManifest,
        "mount on /proc" => ErrorCategory.InvalidManifest, // a volume's path leads into /proc through a link
        _ => null,
    };

    public string Op { get; }
    public string? Path { get; }
    public int Errno { get; }

    /// <summary>The command itself could not be executed (execve failed).</summary>
    public bool CommandFailed => Op == "execve";

    /// <summary>
    /// The working directory could not be entered (isle-init reports every step of it as <c>chdir</c>): it is a file,
    /// a link that leads out of the isle's root or through a magic link such as /proc/self/fd/N (ELOOP), ...
    /// </summary>
    public bool WorkingDirFailed => Op == "chdir";

    /// <summary>The command does not exist (execve: ENOENT).</summary>
    public bool CommandNotFound => CommandFailed && Errno == Interop.Errno.ENOENT;

    /// <summary>Docker's and the shells' code: 127 command not found, 126 not executable; 125 when islander failed.</summary>
    public int ExitCode => !CommandFailed ? 125 : CommandNotFound ? 127 : 126;
}

/// <summary>The isle's init could not be started (<see cref="IsleRuntime.StartAsync"/>).</summary>
public sealed class IsleStartException : IsleProcessException
{
    public IsleStartException(string op, string? path, int errno) : base("start isle", new SyscallException(op, path, errno), SpecCategory(op, errno)) { }

    public IsleStartException(string message, Exception? inner = null) : base("start isle", message, inner) { }
}

/// <summary>A command could not be run in a running isle (<see cref="IsleRuntime.ExecAsync"/>).</summary>
public sealed class IsleExecException : IsleProcessException
{
    public IsleExecException(string op, string? path, int errno) : base("exec", new SyscallException(op, path, errno), SpecCategory(op, errno)) { }

    public IsleExecException(string message) : base("exec", message, null) { }
}
