using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Tmds.Linux;

namespace Islander.Drivers.Interop;

/// <summary>
/// Plain fd operations: open, close, read, write, poll, and moving an fd above a floor. The O_* values come from
/// Tmds.LibC, which has them per architecture (O_DIRECTORY and O_NOFOLLOW differ between x86-64 and arm64); callers
/// outside Interop ask for what they mean (<see cref="OpenDirectory"/>, <see cref="OpenNoFollow"/>) instead of flags.
/// An fd that outlives a statement is a <see cref="SafeFileHandle"/>; the plain ints here are the pipe ends and
/// pidfds the launcher hands to posix_spawn by number.
/// </summary>
internal static unsafe partial class FileDescriptorInterop
{
    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenNative(string path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int CloseNative(int fd);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint ReadNative(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint WriteNative(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int FcntlNative(int fd, int command, int argument);

    // Not Tmds.LibC's poll: it is imported without SetLastError, so errno after it was whatever an earlier call left
    // (often 0). An EINTR (the SIGCHLD of an exec's launcher ending, a GC's suspension signal) was then not seen as one
    // and surfaced as "poll exec stderr pipe: errno 0 (Success)", failing the exec.
    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int PollNative(pollfd* fds, ulong nfds, int timeout);

    /// <summary>open(2), retried on EINTR. Without O_CLOEXEC in <paramref name="flags"/> the fd leaks into every child: only tests want that.</summary>
    public static SafeFileHandle Open(string path, int flags, int mode = 0)
    {
        int fd;
        do fd = OpenNative(path, flags, (uint)mode);
        while (fd == -1 && Errno.Last == Errno.EINTR);
        Errno.Check(fd, "open", path);
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>Equivalent to: open(PATH, O_RDONLY|O_DIRECTORY|O_CLOEXEC), for ioctls and syncfs on a directory.</summary>
    public static SafeFileHandle OpenDirectory(string path) =>
        Open(path, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC);

    /// <summary>Equivalent to: open(PATH, O_RDONLY|O_NOFOLLOW|O_CLOEXEC): a file swapped for a symlink is refused (ELOOP), not followed.</summary>
    public static SafeFileHandle OpenNoFollow(string path) =>
        Open(path, LibC.O_RDONLY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC);

    /// <summary>Equivalent to: open(PATH, O_WRONLY|O_APPEND|O_CREAT|O_CLOEXEC, MODE): a log that several writers append to.</summary>
    public static SafeFileHandle OpenAppend(string path, UnixFileMode mode) =>
        Open(path, LibC.O_WRONLY | LibC.O_APPEND | LibC.O_CREAT | LibC.O_CLOEXEC, (int)mode);

    /// <summary>Closes a plain fd. Not retried on EINTR: Linux releases the fd anyway.</summary>
    public static void Close(int fd)
    {
        if (fd >= 0)
            CloseNative(fd);
    }

    /// <summary>fcntl(F_SETFD, FD_CLOEXEC): an fd this process was handed (systemd's sockets) is not inherited by what it spawns.</summary>
    public static void SetCloseOnExec(int fd) =>
        Errno.Check(FcntlNative(fd, LibC.F_SETFD, LibC.FD_CLOEXEC), "fcntl F_SETFD FD_CLOEXEC");

    /// <summary>fcntl(F_DUPFD_CLOEXEC): a copy of <paramref name="fd"/> at <paramref name="floor"/> or above; the original stays open.</summary>
    public static int DupAbove(int fd, int floor) =>
        Errno.Check(FcntlNative(fd, LibC.F_DUPFD_CLOEXEC, floor), "fcntl F_DUPFD_CLOEXEC");

    /// <summary><see cref="DupAbove(int, int)"/> of the fd a handle holds; the handle keeps its own.</summary>
    public static int DupAbove(SafeHandle handle, int floor)
    {
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return DupAbove((int)handle.DangerousGetHandle(), floor);
        }
        finally
        {
            if (added)
                handle.DangerousRelease();
        }
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
        int moved = FcntlNative(fd, LibC.F_DUPFD_CLOEXEC, floor);
        int errno = Errno.Last;
        CloseNative(fd);
        if (moved == -1)
            Errno.Throw(errno, "fcntl F_DUPFD_CLOEXEC");
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
                nint n = WriteNative(fd, p + done, data.Length - done);
                if (n == -1 && Errno.Last == Errno.EINTR)
                    continue;
                done += (int)Errno.Check((long)n, "write", what);
            }
        }
    }

    /// <summary>
    /// The text of a small file (a /proc/PID entry, an isle's process file): open(2), read(2) to EOF, close(2), without
    /// the fstat, flock and buffers of <see cref="File.ReadAllText(string)"/>. A reconcile pass reads a few such files
    /// per isle. Null when there is no such file (ENOENT, ENOTDIR) or, for /proc, the process is gone (ESRCH); a file
    /// longer than 4 KiB is read by File.ReadAllText.
    /// </summary>
    public static string? ReadSmallText(string path)
    {
        const int Size = 4096;
        byte* buffer = stackalloc byte[Size];
        int fd;
        do fd = OpenNative(path, LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        while (fd == -1 && Errno.Last == Errno.EINTR);
        if (fd == -1)
        {
            int openErrno = Errno.Last;
            return openErrno is Errno.ENOENT or Errno.ENOTDIR or Errno.ESRCH ? null : throw Errno.Exception(openErrno, "open", path);
        }
        int length = 0, errno = 0;
        while (length < Size)
        {
            nint n = ReadNative(fd, buffer + length, Size - length);
            if (n > 0)
                length += (int)n;
            else if (n == 0)
                break;
            else if (Errno.Last is var e && e != Errno.EINTR)
            {
                errno = e;
                break;
            }
        }
        CloseNative(fd);
        if (errno == Errno.ESRCH)
            return null;
        if (errno != 0)
            throw Errno.Exception(errno, "read", path);
        return length == Size ? File.ReadAllText(path) : System.Text.Encoding.UTF8.GetString(buffer, length);
    }

    /// <summary>read(2) once, retried on EINTR; 0 is EOF.</summary>
    public static int Read(int fd, Span<byte> buffer, string what)
    {
        fixed (byte* p = buffer)
        {
            nint n;
            do n = ReadNative(fd, p, buffer.Length);
            while (n == -1 && Errno.Last == Errno.EINTR);
            return (int)Errno.Check((long)n, "read", what);
        }
    }

    /// <summary>True when <paramref name="fd"/> is readable (or hung up) within <paramref name="timeoutMs"/>; an EINTR counts as not yet.</summary>
    public static bool PollReadable(int fd, int timeoutMs, string what)
    {
        var pfd = new pollfd { fd = fd, events = LibC.POLLIN };
        int rc = PollNative(&pfd, 1, timeoutMs);
        if (rc == -1)
        {
            int errno = Errno.Last;
            if (errno == Errno.EINTR)
                return false;
            Errno.Throw(errno, "poll", what);
        }
        return rc > 0;
    }

    /// <inheritdoc cref="PollReadable(int, int, string)"/>
    public static bool PollReadable(SafeHandle handle, int timeoutMs, string what)
    {
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return PollReadable((int)handle.DangerousGetHandle(), timeoutMs, what);
        }
        finally
        {
            if (added)
                handle.DangerousRelease();
        }
    }
}
