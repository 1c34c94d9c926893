using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using Islander.Model;

namespace Islander.Drivers.Interop;

/// <summary>
/// The errno values islander names, each written out once (include/uapi/asm-generic/errno-base.h and errno.h: the
/// same numbers on x86-64, arm64 and riscv64), and the one place that turns an errno into an exception and a
/// category, as dotnet/runtime's <c>Interop.CheckIo</c> and <c>Interop.GetExceptionForIoErrno</c> do.
/// </summary>
public static class Errno
{
    public const int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, E2BIG = 7, ENOEXEC = 8, EBADF = 9,
        ECHILD = 10, EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14, EBUSY = 16, EEXIST = 17, EXDEV = 18,
        ENODEV = 19, ENOTDIR = 20, EISDIR = 21, EINVAL = 22, EMFILE = 24, ENOTTY = 25, ETXTBSY = 26, ENOSPC = 28,
        EROFS = 30, EPIPE = 32, ERANGE = 34, ENAMETOOLONG = 36, ENOSYS = 38, ENOTEMPTY = 39, ELOOP = 40,
        ENODATA = 61, EPROTONOSUPPORT = 93, EOPNOTSUPP = 95, EADDRNOTAVAIL = 99, ENOBUFS = 105, EDQUOT = 122;

    static readonly Dictionary<int, string> Names = new()
    {
        [EPERM] = nameof(EPERM), [ENOENT] = nameof(ENOENT), [ESRCH] = nameof(ESRCH), [EINTR] = nameof(EINTR),
        [EIO] = nameof(EIO), [E2BIG] = nameof(E2BIG), [ENOEXEC] = nameof(ENOEXEC), [EBADF] = nameof(EBADF),
        [ECHILD] = nameof(ECHILD), [EAGAIN] = nameof(EAGAIN), [ENOMEM] = nameof(ENOMEM), [EACCES] = nameof(EACCES),
        [EFAULT] = nameof(EFAULT), [EBUSY] = nameof(EBUSY), [EEXIST] = nameof(EEXIST), [EXDEV] = nameof(EXDEV),
        [ENODEV] = nameof(ENODEV), [ENOTDIR] = nameof(ENOTDIR), [EISDIR] = nameof(EISDIR), [EINVAL] = nameof(EINVAL),
        [EMFILE] = nameof(EMFILE), [ENOTTY] = nameof(ENOTTY), [ETXTBSY] = nameof(ETXTBSY), [ENOSPC] = nameof(ENOSPC),
        [EROFS] = nameof(EROFS), [EPIPE] = nameof(EPIPE), [ERANGE] = nameof(ERANGE), [ENAMETOOLONG] = nameof(ENAMETOOLONG),
        [ENOSYS] = nameof(ENOSYS), [ENOTEMPTY] = nameof(ENOTEMPTY), [ELOOP] = nameof(ELOOP), [ENODATA] = nameof(ENODATA),
        [EPROTONOSUPPORT] = nameof(EPROTONOSUPPORT), [EOPNOTSUPP] = nameof(EOPNOTSUPP),
        [EADDRNOTAVAIL] = nameof(EADDRNOTAVAIL), [ENOBUFS] = nameof(ENOBUFS), [EDQUOT] = nameof(EDQUOT),
    };

    /// <summary>"ENOENT", or "errno 123" for one islander does not name.</summary>
    public static string Name(int errno) => Names.TryGetValue(errno, out var n) ? n : $"errno {errno}";

    /// <summary>"ENOENT (No such file or directory)": how every islander error shows an errno.</summary>
    public static string Describe(int errno) =>
        $"{Name(errno)} ({new System.ComponentModel.Win32Exception(errno).Message})";

    /// <summary>
    /// What an errno means for the caller: gone (NotFound), there already (AlreadyExists), try again (Transient), not
    /// on this kernel (Unsupported), or Unknown. Exceptions of one domain ask this first for what they do not decide
    /// themselves (a netlink ENODEV is a missing link, a cgroup file's ENODEV a missing controller).
    /// </summary>
    public static ErrorCategory Category(int errno) => errno switch
    {
        ENOENT or ESRCH => ErrorCategory.NotFound,
        EEXIST => ErrorCategory.AlreadyExists,
        EBUSY or EAGAIN or EINTR or ENOBUFS => ErrorCategory.Transient,
        ENOSYS or EOPNOTSUPP or EPROTONOSUPPORT => ErrorCategory.Unsupported,
        _ => ErrorCategory.Unknown,
    };

    /// <summary>
    /// The errno of the last failed call: every import here is a LibraryImport with SetLastError = true, which saves
    /// errno right after the call, before the runtime can run anything else on the thread.
    /// </summary>
    public static int Last => Marshal.GetLastPInvokeError();

    /// <summary>-1 from a call that sets errno: throws the <see cref="SyscallException"/> for it; else returns rc.</summary>
    public static int Check(int rc, string op, string? path = null) => rc == -1 ? throw Exception(Last, op, path) : rc;

    /// <inheritdoc cref="Check(int, string, string?)"/>
    public static long Check(long rc, string op, string? path = null) => rc == -1 ? throw Exception(Last, op, path) : rc;

    /// <summary>The exception for a failed system call: <c>throw Exception(errno, "open", path)</c>.</summary>
    public static SyscallException Exception(int errno, string op, string? path = null) => new(op, path, errno);

    /// <summary>Throws the <see cref="SyscallException"/> for <paramref name="errno"/>.</summary>
    [DoesNotReturn]
    public static void Throw(int errno, string op, string? path = null) => throw Exception(errno, op, path);

    /// <summary>Throws when a call that returns 0 or an errno (posix_spawn, the ioctl wrappers here) failed.</summary>
    public static void ThrowIfError(int errno, string op, string? path = null)
    {
        if (errno != 0)
            Throw(errno, op, path);
    }
}
