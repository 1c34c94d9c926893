using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Tmds.Linux;

namespace Islander.Drivers.Interop;

/// <summary>
/// An exec's terminal from the daemon's side: the unix socket isle-init sends the pty master over (runc's console
/// socket), receiving it (SCM_RIGHTS), its window size (TIOCSWINSZ), and the non-blocking reads and writes the
/// daemon does on it and on a stdin pipe, so that a process that does not read never holds a daemon thread.
/// </summary>
internal static unsafe partial class TerminalInterop
{
    const int AF_UNIX = 1, SOCK_SEQPACKET = 5, SOCK_CLOEXEC = 0x80000, SOL_SOCKET = 1, SCM_RIGHTS = 1, MSG_CMSG_CLOEXEC = 0x40000000;
    const uint TIOCSWINSZ = 0x5414;
    const int O_NONBLOCK = 0x800, F_GETFL = 3, F_SETFL = 4;
    const short POLLOUT = 4;

    [StructLayout(LayoutKind.Sequential)]
    struct WinSize
    {
        public ushort Rows, Cols, XPixel, YPixel;
    }

    [StructLayout(LayoutKind.Sequential)]
    struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [LibraryImport("libc", EntryPoint = "socketpair", SetLastError = true)]
    private static partial int SocketPairNative(int domain, int type, int protocol, int* fds);

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    private static partial nint RecvMsgNative(int fd, MsgHdr* msg, int flags);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int IoctlNative(int fd, nuint request, void* argument);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int FcntlNative(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint ReadNative(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint WriteNative(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int PollNative(pollfd* fds, ulong nfds, int timeout);

    /// <summary>
    /// Equivalent to: socketpair(AF_UNIX, SOCK_SEQPACKET|SOCK_CLOEXEC): the console socket, both ends numbered at least
    /// <paramref name="floor"/> (see <see cref="FileDescriptorInterop.MoveAbove"/>).
    /// </summary>
    public static (int Daemon, int Child) SocketPair(int floor)
    {
        int* fds = stackalloc int[2];
        Errno.Check(SocketPairNative(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds), "socketpair", "console socket");
        int a = fds[0], b = fds[1];
        try
        {
            a = FileDescriptorInterop.MoveAbove(a, floor);
            b = FileDescriptorInterop.MoveAbove(b, floor);
        }
        catch (SyscallException)
        {
            FileDescriptorInterop.Close(a);
            FileDescriptorInterop.Close(b);
            throw;
        }
        return (a, b);
    }

    /// <summary>
    /// The one fd sent over <paramref name="socket"/> (SCM_RIGHTS), received CLOEXEC (MSG_CMSG_CLOEXEC: no window in
    /// which a process the daemon spawns could inherit it). Waits for it.
    /// </summary>
    /// <exception cref="SyscallException">recvmsg failed, or the peer closed without sending an fd (EBADMSG reported as ENOENT).</exception>
    public static SafeFileHandle ReceiveFd(int socket)
    {
        byte data;
        var iov = new IoVec { Base = &data, Length = 1 };
        // CMSG_SPACE(sizeof(int)): a 16-byte cmsghdr and the int, aligned to 8.
        byte* control = stackalloc byte[24];
        new Span<byte>(control, 24).Clear();
        var msg = new MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = 24 };
        nint n;
        do n = RecvMsgNative(socket, &msg, MSG_CMSG_CLOEXEC);
        while (n == -1 && Errno.Last == Errno.EINTR);
        Errno.Check((long)n, "recvmsg", "console socket");
        // struct cmsghdr { size_t len; int level; int type; } then the data.
        ulong length = *(ulong*)control;
        int level = *(int*)(control + 8), type = *(int*)(control + 12);
        if (n == 0 || msg.ControlLength < 20 || length < 20 || level != SOL_SOCKET || type != SCM_RIGHTS)
            Errno.Throw(Errno.ENOENT, "recvmsg", "console socket: no terminal was sent");
        return new SafeFileHandle(*(int*)(control + 16), ownsHandle: true);
    }

    /// <summary>Equivalent to: ioctl(MASTER, TIOCSWINSZ, {rows, cols}): the terminal's foreground group gets SIGWINCH.</summary>
    public static void SetWindowSize(SafeFileHandle master, ushort rows, ushort cols)
    {
        var size = new WinSize { Rows = rows, Cols = cols };
        using var fd = new Lease(master);
        Errno.Check(IoctlNative(fd.Fd, TIOCSWINSZ, &size), "ioctl", "TIOCSWINSZ");
    }

    /// <summary>fcntl(F_SETFL, O_NONBLOCK): reads and writes return EAGAIN instead of waiting.</summary>
    public static void SetNonBlocking(SafeFileHandle handle)
    {
        using var fd = new Lease(handle);
        int flags = Errno.Check(FcntlNative(fd.Fd, F_GETFL, 0), "fcntl F_GETFL");
        Errno.Check(FcntlNative(fd.Fd, F_SETFL, flags | O_NONBLOCK), "fcntl F_SETFL O_NONBLOCK");
    }

    /// <summary>
    /// read(2) on a non-blocking fd: the bytes read, 0 at the end, -1 when nothing is there yet (EAGAIN). A pty master
    /// reads EIO once no slave is open any more: that is its end too.
    /// </summary>
    public static int TryRead(SafeFileHandle handle, Span<byte> buffer, string what)
    {
        using var fd = new Lease(handle);
        fixed (byte* p = buffer)
        {
            nint n;
            do n = ReadNative(fd.Fd, p, buffer.Length);
            while (n == -1 && Errno.Last == Errno.EINTR);
            if (n >= 0)
                return (int)n;
            int errno = Errno.Last;
            if (errno == Errno.EAGAIN)
                return -1;
            if (errno == Errno.EIO)
                return 0;
            Errno.Throw(errno, "read", what);
            return 0;
        }
    }

    /// <summary>write(2) on a non-blocking fd: the bytes written, 0 when it is full (EAGAIN).</summary>
    /// <exception cref="SyscallException">EPIPE (the reader is gone), EIO (the terminal hung up), ...</exception>
    public static int TryWrite(SafeFileHandle handle, ReadOnlySpan<byte> data, string what)
    {
        using var fd = new Lease(handle);
        fixed (byte* p = data)
        {
            nint n;
            do n = WriteNative(fd.Fd, p, data.Length);
            while (n == -1 && Errno.Last == Errno.EINTR);
            if (n >= 0)
                return (int)n;
            int errno = Errno.Last;
            if (errno == Errno.EAGAIN)
                return 0;
            Errno.Throw(errno, "write", what);
            return 0;
        }
    }

    /// <summary>True when <paramref name="handle"/> can be read from (POLLIN) or written to (POLLOUT), or has an error to report, within <paramref name="timeoutMs"/>.</summary>
    public static bool Poll(SafeFileHandle handle, bool write, int timeoutMs, string what)
    {
        using var fd = new Lease(handle);
        var pfd = new pollfd { fd = fd.Fd, events = write ? POLLOUT : LibC.POLLIN };
        int rc = PollNative(&pfd, 1, timeoutMs);
        if (rc == -1 && Errno.Last != Errno.EINTR)
            Errno.Throw(Errno.Last, "poll", what);
        return rc > 0;
    }

    /// <summary>The fd of a handle while it is held: a handle closed meanwhile is an ObjectDisposedException, never a write to whatever got the number next.</summary>
    ref struct Lease
    {
        readonly SafeFileHandle _handle;
        bool _added;

        public Lease(SafeFileHandle handle)
        {
            _handle = handle;
            handle.DangerousAddRef(ref _added);
            Fd = (int)handle.DangerousGetHandle();
        }

        public int Fd { get; }

        public void Dispose()
        {
            if (_added)
                _handle.DangerousRelease();
            _added = false;
        }
    }
}
