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

    /// <summary>"No such device"/"No such file"/"Cannot assign": the object is not there.</summary>
    public bool IsNotFound => Errno is Interop.Errno.ENODEV or Interop.Errno.ENOENT or Interop.Errno.ESRCH or Interop.Errno.EADDRNOTAVAIL;

    public bool IsAlreadyExists => Errno == Interop.Errno.EEXIST;

    static string Format(string op, int errno, string? kernelMessage) =>
        kernelMessage is { Length: > 0 }
            ? $"{op}: {Interop.Errno.Describe(errno)}: {kernelMessage}"
            : $"{op}: {Interop.Errno.Describe(errno)}";

    /// <summary>A missing link (ENODEV) or address (EADDRNOTAVAIL) is NotFound; else as any errno.</summary>
    static ErrorCategory Categorize(int errno) =>
        errno is Interop.Errno.ENODEV or Interop.Errno.EADDRNOTAVAIL ? ErrorCategory.NotFound : Interop.Errno.Category(errno);
}
