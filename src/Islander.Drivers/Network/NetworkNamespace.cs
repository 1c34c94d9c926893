using Islander.Drivers.Interop;
using Microsoft.Win32.SafeHandles;

namespace Islander.Drivers.Network;

/// <summary>
/// A network namespace by its nsfs path (<c>/proc/PID/ns/net</c> or a bind mount), or the
/// daemon's own. <see cref="Run{T}"/> runs code inside it on the daemon's one thread for that
/// (<see cref="NamespaceThread"/>), which setns()'s in and back: setns(CLONE_NEWNET) changes only
/// the calling thread, so no pool thread is ever left in the wrong namespace (vishvananda/netns
/// locks an OS thread for the same reason). Sockets created there stay in that namespace;
/// processes started there (nft) inherit it; /proc/sys/net opened there shows its sysctls.
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

    /// <summary>Runs {action} inside this namespace (on <see cref="NamespaceThread.Shared"/>), the caller waiting for it.</summary>
    public T Run<T>(Func<T> action) => Path is null ? action() : NamespaceThread.Shared.RunAsync(Path, action).GetAwaiter().GetResult();

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
