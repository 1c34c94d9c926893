using System.Diagnostics;

namespace Islander.Integration.Tests.Network;

/// <summary>Runs fixture and checking commands (ip, nsenter, busybox): tests may shell out, the driver never does.</summary>
internal static class Shell
{
    public static (int Code, string Out, string Err) Run(string command, int timeoutMs = 15000)
    {
        var psi = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(command);
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeoutMs))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"timed out after {timeoutMs} ms: {command}");
        }
        return (p.ExitCode, o.Result, e.Result);
    }

    /// <summary>Runs {command}, failing the test with its output when it exits non-zero.</summary>
    public static string Ok(string command, int timeoutMs = 15000)
    {
        var (code, o, e) = Run(command, timeoutMs);
        Assert.True(code == 0, $"`{command}` exited with {code}\nstdout: {o}\nstderr: {e}");
        return o;
    }

    /// <summary>Starts {command} in the background; the caller disposes (kills) it.</summary>
    public static Process Start(string command)
    {
        var psi = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"exec {command}");
        return Process.Start(psi)!;
    }
}
