using System.Diagnostics;

namespace Islander.Testing;

/// <summary>
/// Host processes a test starts (<c>sleep</c>, <c>sh -c</c>) and must not leave behind: Dispose kills and
/// reaps whatever is still running.
/// </summary>
public sealed class ChildProcesses : IDisposable
{
    readonly List<Process> _processes = [];

    /// <summary>Starts <paramref name="file"/> with stdin, stdout and stderr redirected (stdin works as a go signal).</summary>
    public Process Start(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
            info.ArgumentList.Add(a);
        var p = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        lock (_processes)
            _processes.Add(p);
        return p;
    }

    /// <summary>A <c>sleep 100</c>: a process that stays put until killed.</summary>
    public int StartSleep() => Start("/bin/sleep", "100").Id;

    /// <summary>Whether a process this object started is still running (it is reaped once it has exited).</summary>
    public bool IsRunning(int pid)
    {
        Process? p;
        lock (_processes)
            p = _processes.FirstOrDefault(x => x.Id == pid);
        if (p is null)
            return File.Exists($"/proc/{pid}/stat");
        return !p.WaitForExit(TimeSpan.Zero);
    }

    /// <summary>
    /// Whether a process this object started has exited within <paramref name="timeout"/>: .NET reaps its children on a
    /// thread of its own, so a process killed a moment ago may not have been seen to exit yet.
    /// </summary>
    public bool ExitsWithin(int pid, TimeSpan timeout)
    {
        Process p;
        lock (_processes)
            p = _processes.Single(x => x.Id == pid);
        return p.WaitForExit(timeout);
    }

    public void Dispose()
    {
        lock (_processes)
        {
            foreach (var p in _processes)
            {
                try
                {
                    if (!p.HasExited)
                        p.Kill(entireProcessTree: true);
                    p.WaitForExit(5000);
                }
                catch (InvalidOperationException)
                {
                    // Already exited and reaped.
                }
                p.Dispose();
            }
            _processes.Clear();
        }
    }
}
