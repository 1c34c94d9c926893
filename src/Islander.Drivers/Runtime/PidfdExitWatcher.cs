using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Islander.Drivers.Interop;
using Microsoft.Win32.SafeHandles;

namespace Islander.Drivers.Runtime;

/// <summary>
/// Awaits process exits without polling: one thread blocks in epoll_wait(2) on the pidfds of every
/// waiter (a pidfd turns readable when its process exits), so a daemon with many isles needs one
/// thread, not one per isle, and an exit is noticed at once.
/// </summary>
internal sealed class PidfdExitWatcher
{
    public static PidfdExitWatcher Shared { get; } = new();

    readonly SafeFileHandle _epoll;
    readonly ConcurrentDictionary<int, (SafeHandle Pidfd, TaskCompletionSource Done)> _waiters = new();
    int _nextKey;

    PidfdExitWatcher()
    {
        _epoll = EpollInterop.Create();
        new Thread(Loop) { IsBackground = true, Name = "islander pidfd watcher" }.Start();
    }

    /// <summary>Completes when the process behind <paramref name="pidfd"/> has exited. The caller keeps the handle open until then.</summary>
    public Task WhenExited(SafeHandle pidfd, CancellationToken ct)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int key = Interlocked.Increment(ref _nextKey);
        _waiters[key] = (pidfd, tcs);
        EpollInterop.AddOneShotReadable(_epoll, pidfd, key, "pidfd");
        if (ct.CanBeCanceled)
            ct.Register(() =>
            {
                if (_waiters.TryRemove(key, out var waiter))
                {
                    EpollInterop.Remove(_epoll, waiter.Pidfd);
                    waiter.Done.TrySetCanceled(ct);
                }
            });
        return tcs.Task;
    }

    void Loop()
    {
        const int Max = 64;
        while (true)
        {
            foreach (int key in EpollInterop.Wait(_epoll, Max))
            {
                if (_waiters.TryRemove(key, out var waiter))
                {
                    EpollInterop.Remove(_epoll, waiter.Pidfd);
                    waiter.Done.TrySetResult();
                }
            }
        }
    }
}
