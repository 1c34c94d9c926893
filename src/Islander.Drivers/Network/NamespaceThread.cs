using System.Collections.Concurrent;
using System.Net.Sockets;
using Islander.Drivers.Interop;
using Microsoft.Win32.SafeHandles;

namespace Islander.Drivers.Network;

/// <summary>
/// Runs code inside other network namespaces on one long-lived thread: for each request it setns()'s into the namespace
/// file (<c>/proc/PID/ns/net</c> or a bind mount), runs the code and setns()'s back to the daemon's namespace.
/// setns(CLONE_NEWNET) changes only the calling thread, so no pool thread is ever in the wrong namespace. A socket
/// belongs to the namespace it was created in and can be used from any thread afterwards; a process started there (nft)
/// inherits it; /proc/sys/net opened there shows its sysctls. One thread for all, rather than a new thread per call: an
/// isle's network attach, or a health check every second per isle, then costs two setns and an open, not a thread's
/// creation and start. Should returning to the daemon's namespace ever fail, the thread ends (it is in the wrong
/// namespace) and the next request starts another. Code that runs here and asks for another namespace runs at once,
/// nested, and comes back to the namespace it was in.
/// </summary>
public sealed class NamespaceThread : IDisposable
{
    /// <summary>The daemon's one thread for everything <see cref="NetworkNamespace.Run{T}"/> runs elsewhere.</summary>
    public static NamespaceThread Shared { get; } = new();

    readonly Lock _lock = new();
    BlockingCollection<Request>? _requests;
    bool _disposed;

    [ThreadStatic]
    static bool t_serving;

    sealed record Request(string Path, Action Body, Action<Exception> Fail);

    /// <summary>Runs <paramref name="action"/> on this thread inside the namespace at <paramref name="path"/>.</summary>
    /// <exception cref="SyscallException">The namespace is gone (ENOENT: its process ended) or setns failed.</exception>
    public Task<T> RunAsync<T>(string path, Func<T> action)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var request = new Request(path, () => result.TrySetResult(action()), e => result.TrySetException(e));
        if (t_serving)
        {
            RunNested(request);
            return result.Task;
        }
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
        return result.Task;
    }

    /// <summary>A new, unconnected IPv4 TCP socket in the network namespace of process <paramref name="pid"/>.</summary>
    /// <exception cref="SyscallException">The process is gone (ENOENT) or setns failed.</exception>
    public Task<Socket> OpenTcpAsync(int pid) =>
        RunAsync($"/proc/{pid}/ns/net", () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));

    static BlockingCollection<Request> Start()
    {
        var requests = new BlockingCollection<Request>();
        var thread = new Thread(() => Serve(requests), maxStackSize: 256 * 1024) { IsBackground = true, Name = "islander-netns" };
        thread.Start();
        return requests;
    }

    static void Serve(BlockingCollection<Request> requests)
    {
        t_serving = true;
        using SafeFileHandle home = SetnsInterop.OpenNamespace(SetnsInterop.CurrentThreadNetns());
        foreach (var request in requests.GetConsumingEnumerable())
            if (!Run(request, home))
            {
                requests.CompleteAdding();
                foreach (var left in requests.GetConsumingEnumerable())
                    left.Fail(new IOException("the network namespace thread ended; retry"));
                return;
            }
    }

    /// <summary>Code run here that asks for another namespace: entered from the one this thread is in, and back to it.</summary>
    static void RunNested(Request request)
    {
        using SafeFileHandle back = SetnsInterop.OpenNamespace(SetnsInterop.CurrentThreadNetns());
        if (!Run(request, back))
            throw new IOException($"could not return from {request.Path} to the network namespace the thread was in");
    }

    /// <summary>The request's code in its namespace, then back to <paramref name="home"/>; false when that return failed.</summary>
    static bool Run(Request request, SafeFileHandle home)
    {
        try
        {
            using var target = SetnsInterop.OpenNamespace(request.Path);
            SetnsInterop.Setns(target, SetnsInterop.CLONE_NEWNET, request.Path);
        }
        catch (SyscallException e)
        {
            request.Fail(e);
            return true;
        }
        try
        {
            request.Body();
        }
        catch (Exception e)
        {
            request.Fail(e);
        }
        try
        {
            SetnsInterop.Setns(home, SetnsInterop.CLONE_NEWNET, "the daemon's netns");
            return true;
        }
        catch (SyscallException)
        {
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
