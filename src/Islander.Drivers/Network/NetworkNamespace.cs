using System.Runtime.ExceptionServices;
using Islander.Drivers.Interop;
using Microsoft.Win32.SafeHandles;

namespace Islander.Drivers.Network;

/// <summary>
/// A network namespace by its nsfs path (<c>/proc/PID/ns/net</c> or a bind mount), or the
/// daemon's own. <see cref="Run{T}"/> runs code inside it on a dedicated thread that setns()'s in
/// and back: setns(CLONE_NEWNET) changes only the calling thread, and the thread ends afterwards,
/// so no pool thread is ever left in the wrong namespace (vishvananda/netns does the same with
/// runtime.LockOSThread). Sockets created there stay in that namespace; processes started there
/// (nft) inherit it; /proc/sys/net opened there shows its sysctls.
/// </summary>
public sealed class NetworkNamespace : IEquatable<NetworkNamespace>
{
    NetworkNamespace(string? path) => Path = path;

    /// <summary>The namespace the daemon runs in: <see cref="Run{T}"/> is a plain call.</summary>
    public static NetworkNamespace Current { get; } = new(null);

    /// <summary>The namespace of process {pid}: /proc/{pid}/ns/net.</summary>
    public static NetworkNamespace OfProcess(int pid) => new($"/proc/{pid}/ns/net");

    /// <summary>Null for <see cref="Current"/>.</summary>
    public string? Path { get; }

    /// <summary>Runs {action} with the calling thread inside this namespace.</summary>
    public T Run<T>(Func<T> action)
    {
        if (Path is null)
            return action();
        // Open first, on the caller's thread, so a vanished process fails before any thread exists.
        using var target = SetnsInterop.OpenNamespace(Path);
        T result = default!;
        ExceptionDispatchInfo? error = null;
        var thread = new Thread(() =>
        {
            SafeFileHandle? home = null;
            try
            {
                home = SetnsInterop.OpenNamespace(SetnsInterop.CurrentThreadNetns());
                SetnsInterop.Setns(target, SetnsInterop.CLONE_NEWNET, Path);
                try
                {
                    result = action();
                }
                finally
                {
                    // If this fails the thread is about to end anyway; the error is not the caller's.
                    try { SetnsInterop.Setns(home, SetnsInterop.CLONE_NEWNET, "home netns"); }
                    catch (SyscallException) { }
                }
            }
            catch (Exception e)
            {
                error = ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                home?.Dispose();
            }
        }, maxStackSize: 256 * 1024)
        {
            IsBackground = true,
            Name = "islander-netns",
        };
        thread.Start();
        thread.Join();
        error?.Throw();
        return result;
    }

    public void Run(Action action) => Run(() => { action(); return 0; });

    /// <summary>Opens the namespace file (O_CLOEXEC) for IFLA_NET_NS_FD; the caller closes it.</summary>
    internal NamespaceFd Open() =>
        new(SetnsInterop.OpenNamespace(Path ?? SetnsInterop.CurrentThreadNetns()));

    public override string ToString() => Path ?? "current netns";

    /// <summary>Two values naming the same path are equal (the same process or bind mount).</summary>
    public bool Equals(NetworkNamespace? other) => other is not null && Path == other.Path;

    public override bool Equals(object? obj) => Equals(obj as NetworkNamespace);

    public override int GetHashCode() => Path?.GetHashCode(StringComparison.Ordinal) ?? 0;

    internal readonly struct NamespaceFd(SafeFileHandle handle) : IDisposable
    {
        /// <summary>The fd number for IFLA_NET_NS_FD: valid until Dispose.</summary>
        public int Fd => (int)handle.DangerousGetHandle();
        public void Dispose() => handle.Dispose();
    }
}
