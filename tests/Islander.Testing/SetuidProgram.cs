using System.Diagnostics;

namespace Islander.Testing;

/// <summary>
/// A real setuid-root program: a static C binary (it runs in any rootfs) that prints the effective uid it runs with,
/// <c>euid=N</c>. Built with gcc by the test into a directory of its choice, owned by root, mode 4755.
/// </summary>
public static class SetuidProgram
{
    const string Source = """
        #include <stdio.h>
        #include <unistd.h>
        int main(void) { printf("euid=%d\n", (int)geteuid()); return 0; }
        """;

    public const UnixFileMode SetuidMode = (UnixFileMode)0b100_111_101_101; // 4755

    /// <summary>Compiles the program to <paramref name="path"/>, root-owned, mode 4755.</summary>
    public static string Build(string path)
    {
        string c = path + ".c";
        File.WriteAllText(c, Source);
        var info = new ProcessStartInfo("gcc") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["-static", "-O2", "-o", path, c])
            info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        File.Delete(c);
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"gcc failed ({p.ExitCode}): {err}");
        File.SetUnixFileMode(path, SetuidMode); // root owns it: the test runs as root
        return path;
    }
}
