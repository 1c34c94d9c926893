using Islander.Drivers.Interop;
using Islander.Model;

namespace Islander.Drivers.Cgroups;

/// <summary>
/// A cgroup operation that failed. For a failed write it names the file, the value and the errno the way
/// runc does: <c>write /sys/fs/cgroup/memory/islander/web/memory.limit_in_bytes = 1000: EBUSY (Device or resource busy)</c>.
/// </summary>
public sealed class CgroupException : IslanderException
{
    public CgroupException(string message, ErrorCategory category, Exception? inner = null)
        : base(message, category, inner)
    {
    }

    CgroupException(string op, string path, string? value, int errno)
        : base(Format(op, path, value, errno), Categorize(errno))
    {
        Op = op;
        Path = path;
        Value = value;
        Errno = errno;
    }

    /// <summary>The failed operation (<c>write</c>, <c>mkdir</c>, <c>rmdir</c>, <c>stat</c>...), when a syscall failed.</summary>
    public string? Op { get; }

    /// <summary>The file or directory the operation was on.</summary>
    public string? Path { get; }

    /// <summary>The value that was being written.</summary>
    public string? Value { get; }

    /// <summary>The errno of the failed syscall, 0 when no syscall failed.</summary>
    public int Errno { get; }

    /// <summary>A write into a control file failed.</summary>
    public static CgroupException WriteFailed(string path, string value, int errno) => new("write", path, value, errno);

    /// <summary>Another syscall (mkdir, rmdir, open, stat) failed on a path.</summary>
    public static CgroupException SyscallFailed(string op, string path, int errno) => new(op, path, null, errno);

    static string Format(string op, string path, string? value, int errno) =>
        value is null
            ? $"{op} {path}: {Interop.Errno.Describe(errno)}"
            : $"{op} {path} = {value.TrimEnd('\n')}: {Interop.Errno.Describe(errno)}";

    /// <summary>ENODEV on a cgroup file: the controller is not there (v1: a hierarchy without it); else as any errno.</summary>
    static ErrorCategory Categorize(int errno) =>
        errno == Interop.Errno.ENODEV ? ErrorCategory.Unsupported : Interop.Errno.Category(errno);
}
