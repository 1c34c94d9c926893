using Islander.Drivers.Interop;
using Islander.Model;

namespace Islander.Drivers.Network.Netlink;

/// <summary>
/// The kernel refused a netlink request (NLMSG_ERROR with a negative errno). Prints the request,
/// its iproute2 equivalent and the kernel's extended-ack text when it gave one:
/// <c>RTM_NEWLINK (ip link add islbr-web type bridge): EEXIST (File exists)</c>.
/// </summary>
public sealed class NetlinkException(string op, int errno, string? kernelMessage)
    : IslanderException(Format(op, errno, kernelMessage), Categorize(errno))
{
    public string Op { get; } = op;
    public int Errno { get; } = errno;
    public string? KernelMessage { get; } = kernelMessage;

    public const int ENOENT = 2, ESRCH = 3, EEXIST = 17, ENODEV = 19, EADDRNOTAVAIL = 99;

    /// <summary>"No such device"/"No such file"/"Cannot assign": the object is not there.</summary>
    public bool IsNotFound => Errno is ENODEV or ENOENT or ESRCH or EADDRNOTAVAIL;

    public bool IsAlreadyExists => Errno == EEXIST;

    static string Format(string op, int errno, string? kernelMessage) =>
        kernelMessage is { Length: > 0 }
            ? $"{op}: {SyscallException.Describe(errno)}: {kernelMessage}"
            : $"{op}: {SyscallException.Describe(errno)}";

    static ErrorCategory Categorize(int errno) => errno switch
    {
        ENOENT or ENODEV or ESRCH or EADDRNOTAVAIL => ErrorCategory.NotFound,
        EEXIST => ErrorCategory.AlreadyExists,
        16 /* EBUSY */ or 11 /* EAGAIN */ or 105 /* ENOBUFS */ => ErrorCategory.Transient,
        95 /* EOPNOTSUPP */ or 93 /* EPROTONOSUPPORT */ => ErrorCategory.Unsupported,
        _ => ErrorCategory.Unknown,
    };
}
