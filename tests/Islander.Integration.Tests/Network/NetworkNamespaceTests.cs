using Islander.Drivers.Interop;
using Islander.Drivers.Network;
using Islander.Testing;

namespace Islander.Integration.Tests.Network;

/// <summary>
/// Code run in another network namespace (<see cref="NetworkNamespace.Run{T}"/>, used for each isle's network attach and
/// each tcp/http health check) runs there, on the daemon's one thread for it, never on a new thread per call, and never
/// leaves a thread of the caller's in the wrong namespace. Real namespaces.
/// </summary>
[Collection(NetworkTestCollection.Name)]
public sealed class NetworkNamespaceTests
{
    /// <summary>The calling thread's network namespace, as net:[INODE].</summary>
    static string Own() => new FileInfo("/proc/thread-self/ns/net").LinkTarget!;

    static string Of(TestNetns ns) => new FileInfo($"/proc/{ns.Pid}/ns/net").LinkTarget!;

    [Fact]
    public void Run_InTwoNamespacesByTurns_RunsInEach_AllOnOneThread_TheCallerStaysHome()
    {
        HostCaps.RequireRoot();
        using var a = TestNetns.Create();
        using var b = TestNetns.Create();
        string home = Own();
        var threads = new HashSet<int>();
        for (int i = 0; i < 10; i++)
            foreach (var ns in new[] { a, b })
            {
                var (seen, thread) = ns.Netns.Run(() => (Own(), Environment.CurrentManagedThreadId));
                Assert.Equal(Of(ns), seen);
                threads.Add(thread);
                Assert.Equal(home, Own());
            }
        Assert.Single(threads); // one long-lived thread, not one per call
        Assert.NotEqual(Environment.CurrentManagedThreadId, threads.Single());
    }

    [Fact]
    public void Run_NestedInAnother_ComesBackToTheOuter_AndAVanishedProcessFailsWithoutBreakingTheNext()
    {
        HostCaps.RequireRoot();
        using var a = TestNetns.Create();
        using var b = TestNetns.Create();
        var (inner, outerAfter) = a.Netns.Run(() => (b.Netns.Run(Own), Own()));
        Assert.Equal(Of(b), inner);
        Assert.Equal(Of(a), outerAfter);

        var gone = TestNetns.Create();
        var vanished = gone.Netns;
        gone.Dispose();
        var e = Assert.Throws<SyscallException>(() => vanished.Run(Own));
        Assert.Equal(Errno.ENOENT, e.Errno);
        Assert.Equal(Of(a), a.Netns.Run(Own));
    }
}
