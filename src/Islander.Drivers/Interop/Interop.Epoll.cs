using System.Collections.Concurrent;
using Tmds.Linux;

namespace Islander.Drivers.Interop;

/// <summary>
/// Awaits process exits without polling: one thread blocks in epoll_wait(2) on the pidfds of every
/// waiter (a pidfd turns readable when its process exits), so a daemon with many isles needs one
/// thread, not one per isle, and an exit is noticed at once.
/// </summary>
internal sealed unsafe class PidfdExitWatcher
{
    public static PidfdExitWatcher Shared { get; } = new();

    readonly int _epoll;
    readonly ConcurrentDictionary<int, TaskCompletionSource> _waiters = new();

    PidfdExitWatcher()
    {
        _epoll = Errno.Check(LibC.epoll_create1(LibC.EPOLL_CLOEXEC), "epoll_create1");
        new Thread(Loop) { IsBackground = true, Name = "islander pidfd watcher" }.Start();
    }

    /// <summary>Completes when the process behind <paramref name="pidfd"/> has exited. The caller keeps the fd open until then.</summary>
    public Task WhenExited(int pidfd, CancellationToken ct)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_waiters.TryAdd(pidfd, tcs))
            throw new InvalidOperationException($"pidfd {pidfd} is already watched");
        var ev = new epoll_event { events = LibC.EPOLLIN | LibC.EPOLLONESHOT, data = new epoll_data_t { fd = pidfd } };
        Errno.Check(LibC.epoll_ctl(_epoll, LibC.EPOLL_CTL_ADD, pidfd, &ev), "epoll_ctl", "pidfd");
        if (ct.CanBeCanceled)
            ct.Register(() =>
            {
                if (_waiters.TryRemove(pidfd, out var waiter))
                {
                    _ = LibC.epoll_ctl(_epoll, LibC.EPOLL_CTL_DEL, pidfd, null);
                    waiter.TrySetCanceled(ct);
                }
            });
        return tcs.Task;
    }

    void Loop()
    {
        const int Max = 64;
        var events = stackalloc epoll_event[Max];
        while (true)
        {
            int n = LibC.epoll_wait(_epoll, events, Max, -1);
            if (n < 0)
            {
                if (LibC.errno == LibC.EINTR) continue;
                Errno.Check(n, "epoll_wait");
            }
            for (int i = 0; i < n; i++)
            {
                int fd = events[i].data.fd;
                if (_waiters.TryRemove(fd, out var waiter))
                {
                    _ = LibC.epoll_ctl(_epoll, LibC.EPOLL_CTL_DEL, fd, null);
                    waiter.TrySetResult();
                }
            }
        }
    }
}
