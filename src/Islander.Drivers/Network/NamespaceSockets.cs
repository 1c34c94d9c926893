using System.Collections.Concurrent;
using System.Net.Sockets;
using Islander.Drivers.Interop;
using Microsoft.Win32.SafeHandles;

namespace Islander.Drivers.Network;

/// <summary>
/// Creates sockets in other processes' network namespaces on one long-lived thread: for each request it setns()'s into
/// /proc/PID/ns/net, calls socket(2) and setns()'s back to the daemon's namespace. A socket belongs to the namespace it
/// was created in and can be used from any thread afterwards. One thread for all, rather than a new thread per socket
/// (<see cref="NetworkNamespace.Run{T}"/>): a health check every second per isle then costs two setns and an open, not a
/// thread's creation and a blocked caller. Should returning to the daemon's namespace ever fail, the thread ends (it is
/// in the wrong namespace) and the next request starts another.
/// </summary>
public sealed class NamespaceSockets : IDisposable
{
    readonly Lock _lock = new();
    BlockingCollection<Request>? _requests;
    bool _disposed;

    sealed record Request(string Path, TaskCompletionSource<Socket> Result);

    /// <summary>A new, unconnected IPv4 TCP socket in the network namespace of process <paramref name="pid"/>.</summary>
    /// <exception cref="SyscallException">The process is gone (ENOENT) or setns failed.</exception>
    public Task<Socket> OpenTcpAsync(int pid)
    {
        var request = new Request($"/proc/{pid}/ns/net", new TaskCompletionSource<Socket>(TaskCreationOptions.RunContinuationsAsynchronously));
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            try
            {
                (_requests ??= Start()).Add(request);
            }
            catch (InvalidOperationException)
            {
                // The thread ended (it could not return to the daemon's namespace) and completed its queue: a new one.
                _requests = Start();
                _requests.Add(request);
            }
        }
        return request.Result.Task;
    }

    static BlockingCollection<Request> Start()
    {
        var requests = new BlockingCollection<Request>();
        var thread = new Thread(() => Serve(requests), maxStackSize: 256 * 1024) { IsBackground = true, Name = "islander-netns-sockets" };
        thread.Start();
        return requests;
    }

    static void Serve(BlockingCollection<Request> requests)
    {
        using SafeFileHandle home = SetnsInterop.OpenNamespace(SetnsInterop.CurrentThreadNetns());
        foreach (var request in requests.GetConsumingEnumerable())
        {
            Socket socket;
            try
            {
                using var target = SetnsInterop.OpenNamespace(request.Path);
                SetnsInterop.Setns(target, SetnsInterop.CLONE_NEWNET, request.Path);
            }
            catch (SyscallException e)
            {
                request.Result.TrySetException(e);
                continue;
            }
            try
            {
                socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            }
            catch (SocketException e)
            {
                request.Result.TrySetException(e);
                if (!Return(home, requests)) return;
                continue;
            }
            if (!Return(home, requests))
            {
                socket.Dispose();
                request.Result.TrySetException(new IOException("could not return to the daemon's network namespace"));
                return;
            }
            request.Result.TrySetResult(socket);
        }
    }

    /// <summary>Back to the daemon's namespace; when that fails, this thread takes no more requests (the next one starts a new thread).</summary>
    static bool Return(SafeFileHandle home, BlockingCollection<Request> requests)
    {
        try
        {
            SetnsInterop.Setns(home, SetnsInterop.CLONE_NEWNET, "the daemon's netns");
            return true;
        }
        catch (SyscallException)
        {
            requests.CompleteAdding();
            foreach (var left in requests.GetConsumingEnumerable())
                left.Result.TrySetException(new IOException("the namespace sockets thread ended; retry"));
            return false;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _requests?.CompleteAdding();
        }
    }
}
