using System.Text;
using Islander.Drivers.Runtime;
using Islander.Drivers.Storage;
using Islander.Drivers.Volumes;
using Islander.Integration.Tests.Images;
using Islander.Model;
using Islander.Testing;

namespace Islander.Integration.Tests.Isles;

/// <summary>
/// A setuid-root program that an isle wrote or an image shipped is a setuid-root file on the host: a local user who
/// reaches it by path would get euid 0. Run as a real unprivileged host user (nobody) against a real setuid-root
/// binary: the isle's and the image's directories are closed to it; inside the isle the program works as under Docker
/// (euid 0), unless the isle asks for no_new_privs.
/// </summary>
[Collection(IsleCollection.Name)]
public sealed class SetuidAccessTests : IAsyncDisposable
{
    readonly IsleHarness _h = new();
    readonly string _src;

    public SetuidAccessTests()
    {
        HostCaps.RequireRoot();
        // A copy the host user can reach (0755 all the way): the control that the program does give it euid 0.
        _src = Path.Combine(_h.HostDir, "open");
        Directory.CreateDirectory(_src, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(_src, (UnixFileMode)0b111_101_101);
        SetuidProgram.Build(Path.Combine(_src, "e"));
    }

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>An isle that copies the program into its own /tmp, makes it setuid root, and stays up.</summary>
    async Task<string> StartWriterAsync(IsleSecurity? security = null)
    {
        var spec = IsleHarness.Spec("sh", "-c", "cp /src/e /tmp/e && chmod 4755 /tmp/e && touch /tmp/ready && exec sleep 300") with
        {
            Volumes = [new VolumeMount { HostPath = _src, MountPath = "/src", ReadOnly = true }],
            Security = security ?? new IsleSecurity(),
        };
        var (name, _) = await _h.StartAsync(spec);
        string ready = Path.Combine(_h.Paths.IsleStateDir(name), "fs", "upper", "tmp", "ready");
        for (int i = 0; !File.Exists(ready); i++)
        {
            Assert.True(i < 250, $"the isle did not write its setuid file: {_h.Log(name)}");
            await Task.Delay(20, Ct);
        }
        return name;
    }

    async Task<string> ExecAsNobodyAsync(string name, string path)
    {
        var output = new StringBuilder();
        var result = await _h.Runtime.ExecAsync(name, new ExecRequest { Command = [path], User = "nobody" }, (_, data, _) =>
        {
            output.Append(Encoding.UTF8.GetString(data.Span));
            return ValueTask.CompletedTask;
        }, Ct);
        Assert.True(result.ExitCode == 0, $"{path} in the isle: exit {result.ExitCode}: {output}");
        return output.ToString().Trim();
    }

    [Fact]
    public void Control_TheProgramGivesTheHostUserEuid0WhereItCanReachIt()
    {
        var run = HostUser.Run(Path.Combine(_src, "e"));

        Assert.True(run.Stdout.Trim() == "euid=0", run.ToString());
    }

    [Fact]
    public async Task SetuidFileAnIsleWrote_HostUserCannotReachIt_NotInTheRootfsMountNorInTheWritableLayer()
    {
        string name = await StartWriterAsync();
        string upper = Path.Combine(_h.Paths.IsleStateDir(name), "fs", "upper", "tmp", "e");
        string mounted = Path.Combine(_h.Paths.IsleRunDir(name), "rootfs", "tmp", "e");
        Assert.Equal(SetuidProgram.SetuidMode, File.GetUnixFileMode(upper)); // there, as root sees it

        foreach (var path in new[] { upper, mounted })
        {
            var run = HostUser.Run(path);
            Assert.True(run.ExitCode != 0 && !run.Stdout.Contains("euid=0"), $"{path}: {run}");
            Assert.Contains("Permission denied", run.Stderr);
        }
        var list = HostUser.Run("ls", _h.Paths.StateRoot, _h.Paths.RunRoot, _h.Paths.IslesRunRoot);
        Assert.True(list.ExitCode != 0, $"the host user may list the state and run roots: {list}");
    }

    [Fact]
    public async Task SetuidFileAnIsleWrote_InsideTheIsle_ElevatesAsUnderDocker_NotWithNoNewPrivileges()
    {
        // Docker's defaults: no no_new_privs, and the rootfs is not nosuid: a user of the isle running a setuid-root
        // program gets euid 0 (su, ping and sudo work), confined still by the isle's capabilities and seccomp filter.
        string isle = await StartWriterAsync();
        Assert.Equal("euid=0", await ExecAsNobodyAsync(isle, "/tmp/e"));

        // noNewPrivileges (Docker's --security-opt no-new-privileges): the program runs, without euid 0.
        string confined = await StartWriterAsync(new IsleSecurity { NoNewPrivileges = true });
        Assert.Equal("euid=65534", await ExecAsNobodyAsync(confined, "/tmp/e"));
    }

    [Fact]
    public async Task SetuidFileAnIsleWroteIntoANamedVolume_HostUserCannotReachIt_TheIsleStillMountsTheVolume()
    {
        // Where islanderd keeps dir volumes: STATE/volumes/dir/NAME (a volume's name comes from a manifest).
        var driver = new DirVolumeDriver(Path.Combine(_h.Paths.StateRoot, "volumes", "dir"));
        string volume = driver.Create("notes", new VolumeSpec(), TestContext.Current.CancellationToken);
        var spec = IsleHarness.Spec("sh", "-c", "cp /src/e /notes/e && chmod 4755 /notes/e && exec sleep 300") with
        {
            Volumes = [new VolumeMount { HostPath = _src, MountPath = "/src", ReadOnly = true }, new VolumeMount { Name = "notes", MountPath = "/notes" }],
        };
        var (name, _) = await _h.StartAsync(spec, namedVolumePaths: new Dictionary<string, string> { ["notes"] = volume });
        string e = Path.Combine(volume, "e");
        for (int i = 0; !File.Exists(e) || File.GetUnixFileMode(e) != SetuidProgram.SetuidMode; i++)
        {
            Assert.True(i < 250, $"the isle did not write its setuid file into the volume: {_h.Log(name)}");
            await Task.Delay(20, Ct);
        }

        var run = HostUser.Run(e);

        Assert.True(run.ExitCode != 0 && !run.Stdout.Contains("euid=0"), $"{e}: {run}");
        Assert.Contains("Permission denied", run.Stderr);
        var read = HostUser.Run("cat", e);
        Assert.True(read.ExitCode != 0 && read.Stdout.Length == 0, $"the host user reads the volume's data: {read}");
    }

    [Fact]
    public async Task SetuidFileInAnImageLayer_HostUserCannotReachIt()
    {
        string state = Path.Combine(_h.HostDir, "state");
        string content = Path.Combine(_h.HostDir, "layer");
        Directory.CreateDirectory(content);
        File.Copy(Path.Combine(_src, "e"), Path.Combine(content, "e"));
        File.SetUnixFileMode(Path.Combine(content, "e"), SetuidProgram.SetuidMode);
        string tar = Path.Combine(_h.HostDir, "layer.tar");
        Tools.Run("tar", "-C", content, "-cf", tar, ".");
        var store = ImageFixtures.Store(Path.Combine(state, "images"));

        await store.ImportAsync(tar, "local/suid:1", null, Ct);

        string layer = Assert.Single(store.Resolve("local/suid:1").LayerDirs);
        string e = Path.Combine(layer, "e");
        Assert.Equal(SetuidProgram.SetuidMode, File.GetUnixFileMode(e)); // the image's setuid bit is kept
        var run = HostUser.Run(e);
        Assert.True(run.ExitCode != 0 && !run.Stdout.Contains("euid=0"), $"{e}: {run}");
        Assert.Contains("Permission denied", run.Stderr);

        // In an isle of the image, run by a non-root user: euid 0, as under Docker.
        string name = "t-" + Guid.NewGuid().ToString("N")[..8];
        _h.Track(name);
        var spec = IsleHarness.Spec("/e") with { User = "65534:65534" };
        var process = await _h.Runtime.StartAsync(name, spec, lowerDirs: [layer], ct: Ct);
        var status = await _h.Runtime.WaitAsync(name, process, Ct);
        Assert.True(status?.Code == 0, $"exit {status?.Code}: {_h.Log(name)}");
        Assert.Equal("euid=0", _h.Log(name).Trim());
    }

    [Fact]
    public void DirectoriesAnOlderIslanderMade0755_AreClosedAtStart()
    {
        var open = (UnixFileMode)0b111_101_101;
        foreach (var dir in new[] { _h.Paths.StateRoot, _h.Paths.RunRoot, _h.Paths.IslesStateRoot, _h.Paths.IslesRunRoot })
        {
            Directory.CreateDirectory(dir);
            File.SetUnixFileMode(dir, open);
        }

        string isle = Path.Combine(_h.Paths.IslesRunRoot, "old-isle");
        Directory.CreateDirectory(isle);
        File.SetUnixFileMode(isle, open);

        _h.Runtime.PrepareDirectories();

        Assert.Equal(HostDirectory.Traverse, File.GetUnixFileMode(_h.Paths.StateRoot));
        Assert.Equal(HostDirectory.Traverse, File.GetUnixFileMode(_h.Paths.RunRoot));
        Assert.Equal(HostDirectory.Private, File.GetUnixFileMode(_h.Paths.IslesStateRoot));
        Assert.Equal(HostDirectory.Traverse, File.GetUnixFileMode(_h.Paths.IslesRunRoot));
        Assert.Equal(HostDirectory.GroupTraverse, File.GetUnixFileMode(isle));
    }
}
