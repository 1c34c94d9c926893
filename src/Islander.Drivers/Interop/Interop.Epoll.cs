using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Tmds.Linux;

namespace Islander.Drivers.Interop;

/// <summary>
/// epoll(7) for readability of fds, as the pidfd exit watcher uses it. struct epoll_event is Tmds.LibC's: it is
/// packed on x86-64 (12 bytes) and naturally aligned elsewhere (16 bytes).
/// </summary>
internal static unsafe partial class EpollInterop
{
    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    private static partial int EpollCreate1Native(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static partial int EpollCtlNative(SafeHandle epoll, int op, SafeHandle fd, epoll_event* ev);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    private static partial int EpollWaitNative(SafeHandle epoll, epoll_event* events, int maxEvents, int timeout);

    /// <summary>Equivalent to: epoll_create1(EPOLL_CLOEXEC).</summary>
    public static SafeFileHandle Create() =>
        new(Errno.Check(EpollCreate1Native(LibC.EPOLL_CLOEXEC), "epoll_create1"), ownsHandle: true);

    /// <summary>Watches <paramref name="fd"/> for one readability event (EPOLLIN|EPOLLONESHOT), reported with <paramref name="key"/>.</summary>
    public static void AddOneShotReadable(SafeHandle epoll, SafeHandle fd, int key, string what)
    {
        var ev = new epoll_event { events = LibC.EPOLLIN | LibC.EPOLLONESHOT, data = new epoll_data_t { fd = key } };
        Errno.Check(EpollCtlNative(epoll, LibC.EPOLL_CTL_ADD, fd, &ev), "epoll_ctl", what);
    }

    /// <summary>Stops watching <paramref name="fd"/>; one already gone from the set is fine.</summary>
    public static void Remove(SafeHandle epoll, SafeHandle fd) => EpollCtlNative(epoll, LibC.EPOLL_CTL_DEL, fd, null);

    /// <summary>Blocks until at least one watched fd is ready and returns their keys; empty after an EINTR.</summary>
    public static int[] Wait(SafeHandle epoll, int maxEvents)
    {
        var events = stackalloc epoll_event[maxEvents];
        int n = EpollWaitNative(epoll, events, maxEvents, -1);
        if (n == -1)
        {
            int errno = Errno.Last;
            if (errno == Errno.EINTR)
                return [];
            Errno.Throw(errno, "epoll_wait");
        }
        var keys = new int[n];
        for (int i = 0; i < n; i++)
            keys[i] = events[i].data.fd;
        return keys;
    }
}
