using System.Runtime.InteropServices;
using System.Text;
using Tmds.Linux;

namespace Islander.Drivers.Interop;

/// <summary>Plain fd operations: open, close, read, write, poll, and moving an fd above a floor.</summary>
internal static unsafe partial class FileDescriptor
{
    // Not Tmds.LibC's poll: it is imported without SetLastError, so LibC.errno after it is whatever an earlier
    // call left (often 0). An EINTR (the SIGCHLD of an exec's launcher ending, a GC's suspension signal) was then
    // not seen as one and surfaced as "poll exec stderr pipe: errno 0 (Success)", failing the exec.
    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int poll(pollfd* fds, ulong nfds, int timeout);

    /// <summary>open(2). Without O_CLOEXEC in <paramref name="flags"/> the fd leaks into every child: only tests want that.</summary>
    public static int Open(string path, int flags, int mode = 0)
    {
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = bytes)
        {
            int fd;
            do fd = LibC.open(p, flags, (ushort)mode);
            while (fd == -1 && LibC.errno == LibC.EINTR);
            return Errno.Check(fd, "open", path);
        }
    }

    public static void Close(int fd)
    {
        // Not retried on EINTR: Linux releases the fd anyway.
        if (fd >= 0)
            _ = LibC.close(fd);
    }

    /// <summary>fcntl(F_DUPFD_CLOEXEC): a copy of <paramref name="fd"/> at <paramref name="floor"/> or above; the original stays open.</summary>
    public static int DupAbove(int fd, int floor)
    {
        int copy = LibC.fcntl(fd, LibC.F_DUPFD_CLOEXEC, floor);
        if (copy == -1)
            throw new SyscallException("fcntl F_DUPFD_CLOEXEC", null, LibC.errno);
        return copy;
    }

    /// <summary>
    /// Returns an O_CLOEXEC duplicate of <paramref name="fd"/> numbered at least <paramref name="floor"/>,
    /// closing the original; keeps fds clear of the numbers a child gets by dup2 (0-4 for isle-init),
    /// so no dup2 can be a no-op that leaves O_CLOEXEC set.
    /// </summary>
    public static int MoveAbove(int fd, int floor)
    {
        if (fd >= floor)
            return fd;
        int moved = LibC.fcntl(fd, LibC.F_DUPFD_CLOEXEC, floor);
        int errno = LibC.errno;
        _ = LibC.close(fd);
        if (moved == -1)
            throw new SyscallException("fcntl F_DUPFD_CLOEXEC", null, errno);
        return moved;
    }

    /// <summary>Writes all of <paramref name="data"/>; EPIPE surfaces as a <see cref="SyscallException"/>.</summary>
    public static void WriteAll(int fd, ReadOnlySpan<byte> data, string what)
    {
        fixed (byte* p = data)
        {
            int done = 0;
            while (done < data.Length)
            {
                long n = LibC.write(fd, p + done, data.Length - done);
                if (n == -1 && LibC.errno == LibC.EINTR)
                    continue;
                done += (int)Errno.Check(n, "write", what);
            }
        }
    }

    /// <summary>read(2) once; 0 is EOF.</summary>
    public static int Read(int fd, Span<byte> buffer, string what)
    {
        fixed (byte* p = buffer)
        {
            long n;
            do n = LibC.read(fd, p, buffer.Length);
            while (n == -1 && LibC.errno == LibC.EINTR);
            return (int)Errno.Check(n, "read", what);
        }
    }

    /// <summary>True when <paramref name="fd"/> is readable (or hung up) within <paramref name="timeoutMs"/>.</summary>
    public static bool PollReadable(int fd, int timeoutMs, string what)
    {
        var pfd = new pollfd { fd = fd, events = LibC.POLLIN };
        int rc = poll(&pfd, 1, timeoutMs);
        if (rc == -1)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == LibC.EINTR)
                return false;
            throw new SyscallException("poll", what, errno);
        }
        return rc > 0;
    }
}
