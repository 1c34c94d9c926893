using System.Diagnostics;
using System.Text;

namespace Islander.Integration.Tests.Package;

/// <summary>What a fixture command printed and how it ended.</summary>
public sealed record CommandResult(int Code, string Out, string Err)
{
    public override string ToString() => $"exit {Code}\nstdout: {Out}\nstderr: {Err}";
}

/// <summary>Runs the fixture tools (package.sh, debootstrap, nsenter, cp): tests may shell out, islander never does.</summary>
public static class Command
{
    /// <summary>
    /// Runs <paramref name="program"/> to its end or <paramref name="timeout"/>, when it and its children are killed.
    /// <paramref name="background"/>: at nice 19 (through nice(1), so its children are too), for a long build that runs
    /// beside other tests and should take only the CPU they leave.
    /// </summary>
    public static CommandResult Run(string program, IEnumerable<string> args, TimeSpan timeout, IReadOnlyDictionary<string, string>? env = null, bool background = false)
    {
        var info = new ProcessStartInfo(background ? "nice" : program) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        if (background) foreach (var a in (string[])["-n", "19", program]) info.ArgumentList.Add(a);
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) info.Environment[k] = v;
        using var p = Process.Start(info)!;
        p.StandardInput.Close();
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            throw new TimeoutException($"{program} {string.Join(' ', args)}: no end after {timeout}\nstdout: {stdout}\nstderr: {stderr}");
        }
        p.WaitForExit(); // the output's last lines
        lock (stdout) lock (stderr) return new CommandResult(p.ExitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>As <see cref="Run"/>; a non-zero exit fails the test with the output.</summary>
    public static string Ok(string program, IEnumerable<string> args, TimeSpan timeout, IReadOnlyDictionary<string, string>? env = null, bool background = false)
    {
        var r = Run(program, args, timeout, env, background);
        Assert.True(r.Code == 0, $"{program} {string.Join(' ', args)}: {r}");
        return r.Out;
    }
}
