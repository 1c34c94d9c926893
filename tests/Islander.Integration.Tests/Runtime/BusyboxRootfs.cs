namespace Islander.Integration.Tests.Runtime;

/// <summary>
/// A tiny root filesystem in a temp dir: Debian's static busybox and its applet links, plus the
/// empty directories the mounts need. Deliberately small and local: the Docker-like mount plan
/// is tested elsewhere.
/// </summary>
sealed class BusyboxRootfs : IDisposable
{
    const string Busybox = "/usr/bin/busybox";
    static readonly string[] Applets =
        ["sh", "ps", "hostname", "cat", "ls", "id", "sleep", "true", "false", "echo", "pwd", "tr", "grep", "readlink", "mkdir", "env"];

    public BusyboxRootfs()
    {
        Path = Directory.CreateTempSubdirectory("islander-rootfs-").FullName;
        // Temp dirs are 0700: the isle's user (1000, or a user namespace's root) must get in.
        File.SetUnixFileMode(Path, (UnixFileMode)Convert.ToInt32("755", 8));
        foreach (var dir in new[] { "bin", "proc", "dev", "sys", "tmp", "etc" })
            Directory.CreateDirectory(System.IO.Path.Combine(Path, dir));
        File.Copy(Busybox, System.IO.Path.Combine(Path, "bin/busybox"));
        foreach (var applet in Applets)
            File.CreateSymbolicLink(System.IO.Path.Combine(Path, "bin", applet), "busybox");
    }

    public string Path { get; }

    public void Dispose()
    {
        // Mounts happened in the isle's own mount namespace and died with it: a plain delete.
        Directory.Delete(Path, recursive: true);
    }
}
