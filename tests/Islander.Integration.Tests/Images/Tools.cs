using System.Diagnostics;
using Islander.Testing;

namespace Islander.Integration.Tests.Images;

/// <summary>External tools the image tests build fixtures with (never used by islander itself).</summary>
public static class Tools
{
    /// <summary>Runs a program, returns its stdout; a non-zero exit is an exception carrying stderr.</summary>
    public static string Run(string program, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({p.ExitCode}): {stderr.Result}");
        return stdout;
    }

    public static string Script(string name, params string[] args) =>
        Run("bash", [Path.Combine(TestRootfs.RepoRoot, "scripts", name), .. args]);

    /// <summary>Root is required; as root, a missing tool is a failure (setup.sh installs them), not a skip.</summary>
    public static void RequireRootAndTools(params string[] tools)
    {
        Assert.SkipUnless(Environment.UserName == "root", "needs root");
        foreach (var tool in tools)
            if (!Environment.GetEnvironmentVariable("PATH")!.Split(':').Any(d => File.Exists(Path.Combine(d, tool))))
                Assert.Fail($"{tool} is not installed; run scripts/setup.sh");
    }
}
