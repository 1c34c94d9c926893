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
        Assert.Contains("Groups:\t90 91", run.Output);
        Assert.Contains("HOME=/srv/web", run.Output);
    }

    [Fact]
    public async Task Run_ImageConfigUserNameColonGroup_GroupReplacesPrimaryNoSupplementary()
    {
        var image = ImageDefaults.None with { User = "web:logs" };

        var run = await RunAsync(Spec(null), image);

        Assert.Contains("uid=81(web) gid=90(logs)", run.Output);
        Assert.Matches(@"Groups:\s*\n", run.Output);
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
