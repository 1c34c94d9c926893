namespace Islander.Integration.Tests.Package;

/// <summary>
/// A Debian 12 userland with systemd as init, made with debootstrap from Debian's mirror when it is missing and kept in
/// /var/lib/islander-test/debian12 for the next runs (about 250 MB). Tests never change it: each boots a copy.
/// </summary>
public static class DebianTree
{
    /// <summary>Where the tree is kept; ISLANDER_TEST_DEBIAN_TREE names another (a check that a missing tree is made).</summary>
    public static readonly string Dir = Environment.GetEnvironmentVariable("ISLANDER_TEST_DEBIAN_TREE") is { Length: > 0 } other
        ? other : "/var/lib/islander-test/debian12";
    public const string Mirror = "http://deb.debian.org/debian";

    /// <summary>What the package needs besides minbase: systemd as PID 1 and the .deb's dependencies.</summary>
    const string Include = "systemd,systemd-sysv,dbus,ca-certificates,libssl3,adduser";

    static readonly Lazy<string> Tree = new(Make);

    public static string Path => Tree.Value;

    static string Make()
    {
        if (IsComplete(Dir)) return Dir;
        // debootstrap into a sibling, renamed when complete: an interrupted run never leaves a half tree at Dir.
        string partial = $"{Dir}.partial-{Environment.ProcessId}";
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Dir)!);
        try
        {
            Command.Ok("debootstrap", ["--variant=minbase", $"--include={Include}", "bookworm", partial, Mirror], TimeSpan.FromMinutes(20), background: true);
            Assert.True(IsComplete(partial), $"debootstrap made {partial} without systemd or adduser");
            if (Directory.Exists(Dir)) Command.Ok("rm", ["-rf", "--one-file-system", Dir], TimeSpan.FromMinutes(2));
            Directory.Move(partial, Dir);
        }
        finally
        {
            if (Directory.Exists(partial)) Command.Run("rm", ["-rf", "--one-file-system", partial], TimeSpan.FromMinutes(2));
        }
        return Dir;
    }

    static bool IsComplete(string tree) =>
        File.Exists(System.IO.Path.Combine(tree, "usr/lib/systemd/systemd")) && File.Exists(System.IO.Path.Combine(tree, "usr/sbin/adduser"))
        && File.Exists(System.IO.Path.Combine(tree, "usr/bin/apt-get"));
}
