using Islander.Drivers.Interop;
using Islander.Drivers.Volumes;
using Islander.Integration.Tests.Images;
using Islander.Integration.Tests.Isles;
using Islander.Model;

namespace Islander.Integration.Tests.Volumes;

/// <summary>
/// Volumes as isles see them: the driver's host path bind-mounted at /data (as the controller will do for
/// <c>volumes: [{name: data, mountPath: /data}]</c>), written by one isle and read by the next after the first is deleted.
/// </summary>
[Collection(IsleCollection.Name)]
public sealed class VolumeIsleTests(BtrfsLoopFilesystem fs) : IAsyncDisposable, IClassFixture<BtrfsLoopFilesystem>
{
    const long MiB = 1 << 20;

    readonly IsleHarness _h = new();
    readonly List<(IVolumeDriver Driver, string Name)> _volumes = [];

    public async ValueTask DisposeAsync()
    {
        // The isles have ended; the volumes go first, because the harness removes the directory the tmpfs root is in.
        try
        {
            foreach (var (driver, name) in _volumes)
                driver.Delete(name, CancellationToken.None);
        }
        finally
        {
            await _h.DisposeAsync();
        }
    }

    IVolumeDriver NewDriver(string kind)
    {
        switch (kind)
        {
            case "btrfs":
                fs.Require();
                return new BtrfsVolumeDriver(fs.NewRoot());
            case "tmpfs":
                return new TmpfsVolumeDriver(Path.Combine(_h.HostDir, "volumes-tmpfs"));
            default:
                return new DirVolumeDriver(Path.Combine(_h.HostDir, "volumes-dir"));
        }
    }

    string CreateVolume(IVolumeDriver driver, long? size = null)
    {
        _volumes.Add((driver, "data"));
        return driver.Create("data", new VolumeSpec { Driver = driver.Kind, Size = size }, TestContext.Current.CancellationToken);
    }

    static IsleSpec WithVolume(string hostPath, params string[] command) =>
        IsleHarness.Spec(command) with { Volumes = [new VolumeMount { HostPath = hostPath, MountPath = "/data" }] };

    [Theory]
    [InlineData("dir")]
    [InlineData("tmpfs")]
    [InlineData("btrfs")]
    public async Task Volume_WrittenByOneIsle_ReadByTheNextAfterTheFirstIsDeleted(string kind)
    {
        var driver = NewDriver(kind);
        var path = CreateVolume(driver, kind == "dir" ? null : 64 * MiB);

        var first = await _h.RunAsync(WithVolume(path, "sh", "-c", "echo written-by-the-first-isle > /data/greeting && head -c 100000 /dev/urandom > /data/blob && md5sum /data/blob"));
        Assert.True(first.Status.Code == 0, first.Output);
        await _h.Runtime.DeleteAsync(first.Name, TestContext.Current.CancellationToken, keepLog: false);

        var second = await _h.OutputAsync(WithVolume(path, "sh", "-c", "cat /data/greeting && md5sum /data/blob"));

        Assert.Equal("written-by-the-first-isle\n" + first.Output.Trim(), second);
        Assert.Equal("written-by-the-first-isle\n", File.ReadAllText(Path.Combine(path, "greeting")));
    }

    static IsleSpec WithNamedVolume(IsleSecurity security, params string[] command) =>
        IsleHarness.Spec(command) with { Volumes = [new VolumeMount { Name = "data", MountPath = "/data" }], Security = security };

    static readonly IdMapping[] Remapped = [new IdMapping(0, 100000, 65536)];

    /// <summary>
    /// A named volume reaches isle-init as a detached mount (an fd), not through its 0700 driver root: it still works in
    /// an isle whose root is remapped by a user namespace (host uid 100000, which may not pass the root), and its data
    /// outlives each isle.
    /// </summary>
    [Theory]
    [InlineData("dir")]
    [InlineData("tmpfs")]
    [InlineData("btrfs")]
    public async Task NamedVolume_WrittenByAnIsleAndByAUserNamespacedIsle_ReadByTheNextAfterEachIsDeleted(string kind)
    {
        var driver = NewDriver(kind);
        var path = CreateVolume(driver, kind == "dir" ? null : 64 * MiB);
        // The remapped root owns the volume, as an operator makes it for such an isle (root in the isle is uid 100000).
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        FileInterop.Lchown(path, 100000, 100000);
        var volumes = new Dictionary<string, string> { ["data"] = path };
        Assert.Equal(VolumeLayout.RootMode, File.GetUnixFileMode(Path.GetDirectoryName(path)!)); // the driver root
        var userns = new IsleSecurity { UserNamespace = new UserNamespace(Remapped, Remapped) };

        var first = await _h.RunAsync(WithNamedVolume(new IsleSecurity(), "sh", "-c", "head -c 100000 /dev/urandom > /data/blob && md5sum /data/blob"),
            namedVolumePaths: volumes);
        Assert.True(first.Status.Code == 0, first.Output);
        await _h.Runtime.DeleteAsync(first.Name, TestContext.Current.CancellationToken, keepLog: false);

        var second = await _h.RunAsync(WithNamedVolume(userns, "sh", "-c", "md5sum /data/blob && echo from-the-remapped-root > /data/note"),
            namedVolumePaths: volumes);
        Assert.True(second.Status.Code == 0, second.Output);
        Assert.Equal(first.Output, second.Output);
        await _h.Runtime.DeleteAsync(second.Name, TestContext.Current.CancellationToken, keepLog: false);

        var third = await _h.OutputAsync(WithNamedVolume(new IsleSecurity(), "sh", "-c", "md5sum /data/blob && cat /data/note"), volumes);

        Assert.Equal(first.Output.Trim() + "\nfrom-the-remapped-root", third);
        Assert.Equal(100000u, FileInterop.Lstat(Path.Combine(path, "note")).Uid); // written by the remapped root
    }

    /// <summary>
    /// The volumes' detached mounts are init's alone, and it closes each once attached: after the start neither the
    /// isle's process (isle-init became it) nor the shim holds one. A read-only named volume stays read-only.
    /// </summary>
    [Fact]
    public async Task NamedVolumes_AfterStart_InitAndShimHoldNoVolumeFd_ReadOnlyIsReadOnly()
    {
        var dir = NewDriver("dir");
        var tmpfs = NewDriver("tmpfs");
        string data = CreateVolume(dir), cache = tmpfs.Create("cache", new VolumeSpec { Driver = new VolumeDriverKind("tmpfs"), Size = 16 * MiB }, TestContext.Current.CancellationToken);
        _volumes.Add((tmpfs, "cache"));
        File.WriteAllText(Path.Combine(data, "kept"), "kept\n");
        var spec = IsleHarness.Spec("sh", "-c", "cat /ro/kept; touch /ro/x || echo refused; echo w > /cache/w && exec sleep 300") with
        {
            Volumes = [new VolumeMount { Name = "data", MountPath = "/ro", ReadOnly = true }, new VolumeMount { Name = "cache", MountPath = "/cache" }],
        };
        var (name, process) = await _h.StartAsync(spec, namedVolumePaths: new Dictionary<string, string> { ["data"] = data, ["cache"] = cache });
        for (int i = 0; !File.Exists(Path.Combine(cache, "w")); i++)
        {
            Assert.True(i < 250, $"the isle did not write /cache/w: {_h.Log(name)}");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        // Not GetFiles: an fd of a mount is a link to a directory, which GetFiles leaves out.
        static List<(string Fd, string Target)> Fds(int pid) =>
            [.. Directory.GetFileSystemEntries($"/proc/{pid}/fd").Order().Select(fd => (Path.GetFileName(fd), new FileInfo(fd).LinkTarget ?? ""))];
        var init = Fds(process.InitPid);
        Assert.True(init.Count == 3 && init.All(fd => fd.Fd is "0" or "1" or "2"), $"init holds:\n{string.Join('\n', init)}");
        // The shim keeps what it logs with (the isle's stdout and stderr pipes, the log file, its signalfd), no volume.
        var shim = Fds(process.ShimPid);
        Assert.True(shim.All(fd => fd.Target == "/dev/null" || fd.Target == _h.Paths.LogFile(name) || fd.Target.StartsWith("pipe:", StringComparison.Ordinal)
            || fd.Target.StartsWith("anon_inode:", StringComparison.Ordinal)), $"the shim holds:\n{string.Join('\n', shim)}");
        string log = _h.Log(name);
        Assert.StartsWith("kept\n", log);
        Assert.Contains("Read-only file system", log);
        Assert.Contains("refused", log);
        Assert.False(File.Exists(Path.Combine(data, "x")));
    }

    /// <summary>
    /// On a host whose mounts are shared (systemd makes "/" shared), a copy of the volume's mount must not be a peer of
    /// the host's: a mount an isle makes inside its volume would show up on the host. It is a slave, as a bind in the
    /// isle's namespace was: the host's mounts reach the isle, not the other way.
    /// </summary>
    [Fact]
    public async Task NamedVolume_OnASharedHostMount_AMountTheIsleMakesInsideIt_StaysInTheIsle()
    {
        string shared = Path.Combine(_h.HostDir, "shared");
        Directory.CreateDirectory(shared);
        Tools.Run("mount", "-t", "tmpfs", "islander-shared-test", shared);
        try
        {
            Tools.Run("mount", "--make-shared", shared);
            var driver = new DirVolumeDriver(Path.Combine(shared, "volumes-dir"));
            string path = driver.Create("data", new VolumeSpec(), TestContext.Current.CancellationToken);
            var spec = WithNamedVolume(new IsleSecurity { Privileged = true },
                "sh", "-c", "mkdir /data/inner && mount -t tmpfs inner /data/inner && touch /data/inner/f && exec sleep 300");
            var (name, process) = await _h.StartAsync(spec, namedVolumePaths: new Dictionary<string, string> { ["data"] = path });
            try
            {
                for (int i = 0; !File.Exists($"/proc/{process.InitPid}/root/data/inner/f"); i++)
                {
                    Assert.True(i < 250, $"the isle did not mount inside its volume: {_h.Log(name)}");
                    await Task.Delay(20, TestContext.Current.CancellationToken);
                }

                var leaked = File.ReadAllLines("/proc/self/mountinfo").Where(l => l.Split(' ')[4].StartsWith(path, StringComparison.Ordinal)).ToList();
                Assert.True(leaked.Count == 0, "the isle's mount reached the host:\n" + string.Join('\n', leaked));
                Assert.False(File.Exists(Path.Combine(path, "inner", "f")));
            }
            finally
            {
                await _h.Runtime.DeleteAsync(name, CancellationToken.None, keepLog: false);
            }
        }
        finally
        {
            Tools.Run("umount", "-l", shared); // with whatever reached the host below it
        }
    }

    [Theory]
    [InlineData("btrfs", "Disk quota exceeded")]
    [InlineData("tmpfs", "No space left on device")]
    public async Task Volume_WritePastItsSize_FailsInsideTheIsle(string kind, string error)
    {
        var path = CreateVolume(NewDriver(kind), 16 * MiB);

        var (status, output) = await _h.RunAsync(WithVolume(path, "sh", "-c", "dd if=/dev/zero of=/data/big bs=1M count=64 && sync /data/big"));

        Assert.True(status.Code != 0, $"the isle wrote 64 MiB into a 16 MiB volume: {output}");
        Assert.Contains(error, output);
    }
}
