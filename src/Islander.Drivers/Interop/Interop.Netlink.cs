using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Islander.Drivers.Interop;

/// <summary>
/// AF_NETLINK sockets: socket(2), bind(2), setsockopt(2), send(2), recv(2); the socket is a <see cref="SafeFileHandle"/>.
/// Buffers are spans; encoding and decoding of the messages is pure code in Network/Netlink.
/// </summary>
internal static unsafe partial class NetlinkInterop
{
    const int AF_NETLINK = 16;
    const int SOCK_RAW = 3;
    const int SOCK_CLOEXEC = 0x80000;
    const int SOL_NETLINK = 270;
    const int NETLINK_EXT_ACK = 11;
    const int NETLINK_GET_STRICT_CHK = 12;
    const int SOL_SOCKET = 1;
    const int SO_RCVBUF = 8;
    const int SO_SNDBUF = 7;

    /// <summary>NETLINK_ROUTE: the rtnetlink protocol (links, addresses, routes).</summary>
    public const int NETLINK_ROUTE = 0;

    /// <summary>NETLINK_NETFILTER: nfnetlink, whose nftables subsystem holds the ruleset.</summary>
    public const int NETLINK_NETFILTER = 12;

    [StructLayout(LayoutKind.Sequential)]
    struct SockaddrNl
    {
        public ushort nl_family;
        public ushort nl_pad;
        public uint nl_pid;
        public uint nl_groups;
    }

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int SocketNative(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    private static partial int BindNative(SafeHandle fd, SockaddrNl* addr, uint len);

    [LibraryImport("libc", EntryPoint = "getsockname", SetLastError = true)]
    private static partial int GetSockNameNative(SafeHandle fd, SockaddrNl* addr, uint* len);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    private static partial int SetSockOptNative(SafeHandle fd, int level, int name, int* value, uint len);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    private static partial nint SendNative(SafeHandle fd, byte* buf, nuint len, int flags);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    private static partial nint RecvNative(SafeHandle fd, byte* buf, nuint len, int flags);

    /// <summary>
    /// socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, protocol), bound with a kernel-assigned port id,
    /// with extended acks on (the kernel then explains EINVAL and friends in text).
    /// Returns the fd and the port id the kernel gave it.
    /// </summary>
    public static (SafeFileHandle Fd, uint PortId) Open(int protocol)
    {
        var fd = new SafeFileHandle(Errno.Check(SocketNative(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol), "socket(AF_NETLINK)"), ownsHandle: true);
        try
        {
            var addr = new SockaddrNl { nl_family = AF_NETLINK };
            Check(BindNative(fd, &addr, (uint)sizeof(SockaddrNl)), "bind(AF_NETLINK)");
            uint len = (uint)sizeof(SockaddrNl);
            Check(GetSockNameNative(fd, &addr, &len), "getsockname(AF_NETLINK)");
            int one = 1;
            // Best effort: both exist since Linux 4.12/4.20; without them errors are plain errnos.
            SetSockOptNative(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(int));
            SetSockOptNative(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(int));
            int buf = 1 << 20;
            SetSockOptNative(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(int));
            SetSockOptNative(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(int));
            return (fd, addr.nl_pid);
        }
        catch (SyscallException)
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>send(2) of one whole datagram.</summary>
    public static void Send(SafeHandle fd, ReadOnlySpan<byte> message)
    {
        fixed (byte* p = message)
        {
            while (true)
            {
                nint n = SendNative(fd, p, (nuint)message.Length, 0);
                if (n >= 0)
                    return;
                int errno = Errno.Last;
                if (errno != Errno.EINTR)
                    throw Errno.Exception(errno, "send(AF_NETLINK)", null);
            }
        }
    }

    /// <summary>recv(2) of one datagram (may hold several netlink messages); returns its length.</summary>
    public static int Receive(SafeHandle fd, Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            while (true)
            {
                nint n = RecvNative(fd, p, (nuint)buffer.Length, 0);
                if (n >= 0)
                    return (int)n;
                int errno = Errno.Last;
                if (errno != Errno.EINTR)
                    throw Errno.Exception(errno, "recv(AF_NETLINK)", null);
            }
        }
    }

    static void Check(int rc, string op) => Errno.Check(rc, op);
}
