using System.Diagnostics;

namespace Islander.Testing;

/// <summary>
/// A local user of the host without privileges: <c>nobody</c> (65534), no supplementary groups, entered with
/// <c>setpriv</c> as root can. What it can read and run is what any local user can.
/// </summary>
public static class HostUser
{
    public const int Id = 65534;

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout:\n{Stdout}\n--- stderr:\n{Stderr}";
    }

    /// <summary>Runs <paramref name="command"/> as the unprivileged user and waits for it (at most 30 s).</summary>
    public static Result Run(params string[] command)
    {
        var info = new ProcessStartInfo("setpriv") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // Through sh: setpriv keeps its capabilities (PR_SET_KEEPCAPS) until its own execve, whose path lookup would
        // then pass directories the user cannot; sh runs the command with the user's rights only.
        foreach (var a in (string[])[$"--reuid={Id}", $"--regid={Id}", "--clear-groups", "--", "/bin/sh", "-c", "exec \"$0\" \"$@\"", .. command])
            info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(30_000))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            throw new TimeoutException($"{string.Join(' ', command)} as uid {Id} did not end within 30 s");
        }
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }
}
