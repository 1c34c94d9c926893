using System.Diagnostics;

namespace Islander.Testing;

/// <summary>Root filesystems for tests, built from host packages by the project's own scripts.</summary>
public static class TestRootfs
{
    static readonly Lazy<string> BusyboxDir = new(BuildBusybox);

    /// <summary>A busybox rootfs (Debian's busybox-static), built once per test run; tests must not write to it.</summary>
    public static string Busybox => BusyboxDir.Value;

    /// <summary>The repository root (where Islander.sln is).</summary>
    public static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Islander.sln")))
                    return dir.FullName;
            throw new InvalidOperationException($"no Islander.sln above {AppContext.BaseDirectory}");
        }
    }

    static string BuildBusybox()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"islander-test-busybox-{Environment.ProcessId}");
        Run(Path.Combine(RepoRoot, "scripts", "make-busybox-rootfs.sh"), dir);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(dir, recursive: true);
        return dir;
    }

    static void Run(string script, string arg)
    {
        using var p = Process.Start(new ProcessStartInfo("bash", [script, arg]) { RedirectStandardError = true })!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{script} {arg} failed ({p.ExitCode}): {err}");
    }
}
