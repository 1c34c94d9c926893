using Islander.Drivers.Interop;
using Islander.Model;

namespace Islander.Drivers.Runtime;

/// <summary>
/// isle-init could not turn into the isle's process: the step (<see cref="Op"/>), its path and
/// errno, printed like runc: <c>start isle: execve /bin/nope: ENOENT (No such file or directory)</c>.
/// </summary>
public sealed class IsleStartException : IslanderException
{
    public IsleStartException(string op, string? path, int errno)
        : this(new SyscallException(op, path, errno))
    {
    }

    IsleStartException(SyscallException inner)
        : base($"start isle: {inner.Message}", inner.Category, inner)
    {
        Op = inner.Op;
        Path = inner.Path;
        Errno = inner.Errno;
    }

    public IsleStartException(string message, Exception? inner = null)
        : base($"start isle: {message}", ErrorCategory.Unknown, inner)
    {
        Op = "";
    }

    public string Op { get; }
    public string? Path { get; }
    public int Errno { get; }
}
