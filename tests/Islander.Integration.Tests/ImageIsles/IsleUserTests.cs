using Islander.Drivers.Images;
using Islander.Drivers.Runtime;
using Islander.Integration.Tests.Isles;
using Islander.Model;
using Islander.Testing;

namespace Islander.Integration.Tests.ImageIsles;

/// <summary>
/// User names resolved against the isle's own /etc/passwd and /etc/group, as Docker does: here an image of
/// two layers, the busybox rootfs under a top layer that brings its own users, so the files are read
/// through the overlay the isle runs on.
/// </summary>
[Collection(IsleCollection.Name)]
public sealed class IsleUserTests : IAsyncDisposable
{
    readonly IsleHarness _h = new();
    readonly string _usersLayer;

    public IsleUserTests()
    {
        _usersLayer = Path.Combine(_h.HostDir, "users-layer");
        Directory.CreateDirectory(Path.Combine(_usersLayer, "etc"));
        File.WriteAllText(Path.Combine(_usersLayer, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nweb:x:81:82:web:/srv/web:/bin/sh\n");
        File.WriteAllText(Path.Combine(_usersLayer, "etc/group"), "root:x:0:\nweb:x:82:\nlogs:x:90:web\nshare:x:91:other,web\n");
        foreach (var dir in new[] { _usersLayer, Path.Combine(_usersLayer, "etc") })
            File.SetUnixFileMode(dir, (UnixFileMode)Convert.ToInt32("755", 8));
    }

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    async Task<IsleRun> RunAsync(IsleSpec spec, ImageDefaults? image = null)
    {
        var name = "usr-" + Guid.NewGuid().ToString("N")[..8];
        _h.Track(name);
        var process = await _h.Runtime.StartAsync(name, spec, lowerDirs: [_usersLayer, TestRootfs.Busybox], image: image, ct: TestContext.Current.CancellationToken);
        var status = await _h.Runtime.WaitAsync(name, process, TestContext.Current.CancellationToken);
        return new IsleRun(name, status!, _h.Log(name));
    }

    static IsleSpec Spec(string? user) => new()
    {
        Image = "local/users:1", User = user, RestartPolicy = RestartPolicy.Never,
        Command = ["sh", "-c", "id; grep Groups /proc/self/status; echo HOME=$HOME"],
    };

    [Fact]
    public async Task Run_UserName_IdsFromPasswdSupplementaryGroupsFromGroupHomeFromPasswd()
    {
        var run = await RunAsync(Spec("web"));

        Assert.Equal(0, run.Status.Code);
        Assert.Contains("uid=81(web) gid=82(web)", run.Output);
        Assert.Contains("Groups:\t82 90 91", run.Output);
        Assert.Contains("HOME=/srv/web", run.Output);
    }

    [Fact]
    public async Task Run_ImageConfigUserNameColonGroup_GroupReplacesPrimaryAndIsTheOnlySupplementary()
    {
        var image = ImageDefaults.None with { User = "web:logs" };

        var run = await RunAsync(Spec(null), image);

        Assert.Contains("uid=81(web) gid=90(logs)", run.Output);
        Assert.Matches(@"Groups:\t90 ?\n", run.Output); // the kernel ends each group with a space
    }

    static void Chown(string owner, string path)
    {
        using var chown = System.Diagnostics.Process.Start("chown", [owner, path])!;
        chown.WaitForExit();
        Assert.Equal(0, chown.ExitCode);
    }

    /// <summary>Opens argv[1] for reading and says what its effective gid was and whether the open worked.</summary>
    const string ReadProbe = """
        #include <errno.h>
        #include <fcntl.h>
        #include <stdio.h>
        #include <unistd.h>
        int main(int argc, char **argv)
        {
            int fd = argc > 1 ? open(argv[1], O_RDONLY) : -1;
            printf("egid=%u read=%s\n", (unsigned)getegid(), fd >= 0 ? "ok" : "denied");
            return 0;
        }
        """;

    // CVE-2023-25173 (containerd) and CVE-2022-36109 (moby): /srv/denied is 0604 root:web, "everyone but group web".
    // A setgid program of group share makes web's egid 91; had its primary group 82 not been a supplementary group
    // too, web would then have read the file as "other". The image ships the program: no privilege is needed.
    [Fact]
    public async Task Run_SetgidProgram_PrimaryGroupStillDeniedByANegativeGroupMode()
    {
        var bin = Path.Combine(_usersLayer, "bin");
        var srv = Path.Combine(_usersLayer, "srv");
        Directory.CreateDirectory(bin);
        Directory.CreateDirectory(srv);
        File.WriteAllText(Path.Combine(_h.HostDir, "readsg.c"), ReadProbe);
        using (var gcc = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("gcc", ["-static", "-O2", "-o", Path.Combine(bin, "readsg"), Path.Combine(_h.HostDir, "readsg.c")]) { RedirectStandardError = true })!)
        {
            var errors = await gcc.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            await gcc.WaitForExitAsync(TestContext.Current.CancellationToken);
            Assert.True(gcc.ExitCode == 0, errors);
        }
        File.WriteAllText(Path.Combine(srv, "denied"), "secret\n");
        File.SetUnixFileMode(bin, (UnixFileMode)Convert.ToInt32("755", 8));
        File.SetUnixFileMode(srv, (UnixFileMode)Convert.ToInt32("755", 8));
        File.SetUnixFileMode(Path.Combine(srv, "denied"), (UnixFileMode)Convert.ToInt32("604", 8));
        Chown("0:82", Path.Combine(srv, "denied"));
        Chown("0:91", Path.Combine(bin, "readsg")); // before the chmod: chown clears the setgid bit
        File.SetUnixFileMode(Path.Combine(bin, "readsg"), (UnixFileMode)Convert.ToInt32("2755", 8));

        var run = await RunAsync(Spec("web") with { Command = ["sh", "-c", "/bin/readsg /srv/denied; cat /srv/denied"] });

        Assert.Contains("egid=91 read=denied", run.Output); // the setgid bit took effect, and the group mode still held
        Assert.Contains("Permission denied", run.Output); // plain cat, egid 82: denied as ever
        Assert.DoesNotContain("secret", run.Output);
    }

    [Fact]
    public async Task Run_UidWithoutEntry_Gid0HomeSlash()
    {
        var run = await RunAsync(Spec("4242"));

        Assert.Contains("uid=4242 gid=0(root)", run.Output);
        Assert.Contains("HOME=/\n", run.Output);
    }

    [Fact]
    public async Task Start_UnknownUserName_ClearErrorAndNothingLeft()
    {
        var name = "usr-" + Guid.NewGuid().ToString("N")[..8];
        _h.Track(name);

        var e = await Assert.ThrowsAsync<IslanderException>(() => _h.Runtime.StartAsync(name, Spec("nginx"),
            lowerDirs: [_usersLayer, TestRootfs.Busybox], ct: TestContext.Current.CancellationToken));

        Assert.Equal(ErrorCategory.NotFound, e.Category);
        Assert.Equal("user \"nginx\" not found in the isle's /etc/passwd", e.Message);
        Assert.False(Directory.Exists(_h.Paths.IsleRunDir(name)));
        Assert.DoesNotContain(name, File.ReadAllText("/proc/self/mountinfo"));
    }
}
