using System.Diagnostics;
using Islander.Drivers.Network;

namespace Islander.Integration.Tests.Network;

/// <summary>
/// A throwaway network namespace held by a <c>unshare --net [--mount] sleep</c> process. Killing
/// the process destroys the namespace and every link in it, so cleanup happens even when a test
/// fails half-way (netlink's setUpNetlinkTest does the same with a fresh netns per test).
/// </summary>
internal sealed class TestNetns : IDisposable
{
    readonly Process _process;

    TestNetns(Process process)
    {
        _process = process;
        Pid = process.Id;
        Netns = NetworkNamespace.OfProcess(Pid);
    }

    public int Pid { get; }
    public NetworkNamespace Netns { get; }

    /// <summary>Starts the holder and waits until it is really in its new namespace.</summary>
    public static TestNetns Create(bool withMountNs = false)
    {
        var psi = new ProcessStartInfo("unshare") { UseShellExecute = false };
        foreach (var a in withMountNs ? ["--net", "--mount", "--propagation", "private", "sleep", "3600"] : new[] { "--net", "sleep", "3600" })
            psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        string self = File.ResolveLinkTarget("/proc/self/ns/net", false)!.ToString();
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (true)
        {
            string? ns = null;
            try { ns = File.ResolveLinkTarget($"/proc/{p.Id}/ns/net", false)?.ToString(); }
            catch (IOException) { }
            if (ns is not null && ns != self && File.ReadAllText($"/proc/{p.Id}/comm").Trim() == "sleep")
                break;
            if (DateTime.UtcNow > deadline)
            {
                p.Kill();
                throw new TimeoutException("unshare did not enter a new network namespace");
            }
            Thread.Sleep(5);
        }
        return new TestNetns(p);
    }

    /// <summary>Runs {command} inside this namespace (and its mount namespace, when it has one).</summary>
    public (int Code, string Out, string Err) Run(string command, int timeoutMs = 15000, bool mount = false) =>
        Shell.Run($"nsenter -t {Pid} -n{(mount ? " -m" : "")} -- /bin/sh -c '{command.Replace("'", "'\\''")}'", timeoutMs);

    public string Ok(string command, int timeoutMs = 15000, bool mount = false)
    {
        var (code, o, e) = Run(command, timeoutMs, mount);
        Assert.True(code == 0, $"in netns {Pid}: `{command}` exited with {code}\nstdout: {o}\nstderr: {e}");
        return o;
    }

    /// <summary>Starts {command} in the background inside this namespace.</summary>
    public Process Start(string command) => Shell.Start($"nsenter -t {Pid} -n -- {command}");

    /// <summary>True when a single ping of {ip} is answered within {seconds}.</summary>
    public bool Pings(string ip, int seconds = 2) => Run($"busybox ping -c 1 -W {seconds} {ip}").Code == 0;

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
    }
}
