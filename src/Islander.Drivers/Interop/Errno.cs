using Islander.Model;
using Tmds.Linux;

namespace Islander.Drivers.Interop;

/// <summary>A failed system call: operation, path and errno, printed the way runc prints them.</summary>
public sealed class SyscallException : IslanderException
{
    public SyscallException(string op, string? path, int errno)
        : base(Format(op, path, errno), Categorize(errno))
    {
        Op = op;
        Path = path;
        Errno = errno;
    }

    public string Op { get; }
    public string? Path { get; }
    public int Errno { get; }

    static string Format(string op, string? path, int errno) =>
        path is null ? $"{op}: {Describe(errno)}" : $"{op} {path}: {Describe(errno)}";

    /// <summary>"ENOENT (No such file or directory)".</summary>
    public static string Describe(int errno) =>
        $"{ErrnoNames.Name(errno)} ({new System.ComponentModel.Win32Exception(errno).Message})";

    static ErrorCategory Categorize(int errno) => errno switch
    {
        2 /* ENOENT */ => ErrorCategory.NotFound,
        17 /* EEXIST */ => ErrorCategory.AlreadyExists,
        16 /* EBUSY */ or 11 /* EAGAIN */ or 4 /* EINTR */ => ErrorCategory.Transient,
        38 /* ENOSYS */ or 95 /* EOPNOTSUPP */ => ErrorCategory.Unsupported,
        _ => ErrorCategory.Unknown,
    };
}

/// <summary>Turns -1/errno into a <see cref="SyscallException"/> in one place (runtime's Interop.CheckIo).</summary>
public static class Errno
{
    public static int Check(int rc, string op, string? path = null)
    {
        if (rc == -1)
            throw new SyscallException(op, path, LibC.errno);
        return rc;
    }

    public static long Check(long rc, string op, string? path = null)
    {
        if (rc == -1)
            throw new SyscallException(op, path, LibC.errno);
        return rc;
    }
}

/// <summary>Symbolic names of the errno values islander reports.</summary>
public static class ErrnoNames
{
    static readonly Dictionary<int, string> Names = new()
    {
        [1] = "EPERM", [2] = "ENOENT", [3] = "ESRCH", [4] = "EINTR", [5] = "EIO", [7] = "E2BIG", [8] = "ENOEXEC",
        [9] = "EBADF", [10] = "ECHILD", [11] = "EAGAIN", [12] = "ENOMEM", [13] = "EACCES", [14] = "EFAULT",
        [16] = "EBUSY", [17] = "EEXIST", [18] = "EXDEV", [19] = "ENODEV", [20] = "ENOTDIR", [21] = "EISDIR",
        [22] = "EINVAL", [24] = "EMFILE", [26] = "ETXTBSY", [28] = "ENOSPC", [30] = "EROFS", [32] = "EPIPE",
        [34] = "ERANGE", [36] = "ENAMETOOLONG", [38] = "ENOSYS", [39] = "ENOTEMPTY", [40] = "ELOOP", [95] = "EOPNOTSUPP", [122] = "EDQUOT",
    };

    public static string Name(int errno) => Names.TryGetValue(errno, out var n) ? n : $"errno {errno}";
}
