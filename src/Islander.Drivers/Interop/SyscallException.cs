using Islander.Model;

namespace Islander.Drivers.Interop;

/// <summary>A failed system call: operation, path and errno, printed the way runc prints them.</summary>
public sealed class SyscallException : IslanderException
{
    public SyscallException(string op, string? path, int errno)
        : base(Format(op, path, errno), Interop.Errno.Category(errno))
    {
        Op = op;
        Path = path;
        Errno = errno;
    }

    public string Op { get; }
    public string? Path { get; }
    public int Errno { get; }

    static string Format(string op, string? path, int errno) =>
        path is null ? $"{op}: {Interop.Errno.Describe(errno)}" : $"{op} {path}: {Interop.Errno.Describe(errno)}";
}
