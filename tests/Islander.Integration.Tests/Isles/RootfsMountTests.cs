using Islander.Integration.Tests.Images;
using Islander.Testing;

namespace Islander.Integration.Tests.Isles;

/// <summary>
/// An isle's overlay is attached in the isle's own mount namespace only: the host shows no mount under the run
/// directory, and an <c>rm -rf</c> of it (a careless /run cleanup) deletes none of the isle's files.
/// </summary>
[Collection(IsleCollection.Name)]
public sealed class RootfsMountTests : IAsyncDisposable
{
    readonly IsleHarness _h = new();

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RunningIsle_HostHasNoMountUnderTheRunDirectory_RmRfOfItDeletesNothingOfTheIsle()
    {
        var (name, process) = await _h.StartAsync(IsleHarness.Spec("sh", "-c", "echo kept > /keep && exec sleep 300"));
        string upper = Path.Combine(_h.Paths.IsleStateDir(name), "fs", "upper", "keep");
        // Until sleep runs: while the shell writes /keep it holds a copy of its stdout (fd 10) that the fd check below
        // would take for a leak.
        for (int i = 0; !File.Exists(upper) || File.ReadAllText($"/proc/{process.InitPid}/comm").Trim() != "sleep"; i++)
        {
            Assert.True(i < 250, $"the isle did not write /keep and exec sleep: {_h.Log(name)}");
            await Task.Delay(20, Ct);
        }

        var mounts = File.ReadAllLines("/proc/self/mountinfo").Where(l => l.Split(' ')[4].StartsWith(_h.HostDir, StringComparison.Ordinal)).ToList();
        Assert.True(mounts.Count == 0, "host mounts under the isle's directories:\n" + string.Join('\n', mounts));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(_h.Paths.IsleRunDir(name), "rootfs")));
        // The mount's fd was init's alone, and init closed it once attached: neither it nor the shim holds it (its
        // link reads "/"), and the isle's command has 0-2 only. Not GetFiles: it leaves out links to directories.
        foreach (int pid in new[] { process.ShimPid, process.InitPid })
            Assert.DoesNotContain("/", Directory.GetFileSystemEntries($"/proc/{pid}/fd").Select(fd => new FileInfo(fd).LinkTarget));
        Assert.Equal(["0", "1", "2"], Directory.GetFileSystemEntries($"/proc/{process.InitPid}/fd").Select(Path.GetFileName).Order());

        Directory.Delete(_h.Paths.RunRoot, recursive: true); // rm -rf RUN
        try
        {
            // The isle's files, in its writable layer and as the isle sees them (its root, from the host as root).
            Assert.Equal("kept\n", File.ReadAllText(upper));
            Assert.True(_h.Runtime.IsRunning(process));
            Assert.Equal("kept\n", File.ReadAllText($"/proc/{process.InitPid}/root/keep"));
            Assert.True(File.Exists($"/proc/{process.InitPid}/root/bin/busybox"));
        }
        finally
        {
            // Its process record went with the run directory: the harness's delete would not find it to stop it.
            using var init = System.Diagnostics.Process.GetProcessById(process.InitPid);
            init.Kill();
            init.WaitForExit(5000);
        }
    }

    /// <summary>
    /// The overlay is made detached at once, one <c>lowerdir+</c> per layer (the isle's mountinfo shows them), not
    /// mounted at a staging point and copied: the layers stack top first, and a layer's path may hold the separators
    /// of mount data (':' and ','), which the kernel takes as they are.
    /// </summary>
    [Fact]
    public async Task LayeredIsle_OverlayMadeDetachedWithOneLowerdirPerLayer_TopLayerWins_SeparatorsInPathsKept()
    {
        string top = Path.Combine(_h.HostDir, "top:layer,1"), middle = Path.Combine(_h.HostDir, "middle");
        Directory.CreateDirectory(top);
        Directory.CreateDirectory(middle);
        File.WriteAllText(Path.Combine(top, "marker"), "top\n");
        File.WriteAllText(Path.Combine(middle, "marker"), "middle\n");
        File.WriteAllText(Path.Combine(middle, "only-middle"), "seen\n");
        string name = "t-" + Guid.NewGuid().ToString("N")[..8];
        _h.Track(name);
        var process = await _h.Runtime.StartAsync(name, IsleHarness.Spec("sh", "-c", "cat /marker /only-middle; grep ' / / ' /proc/self/mountinfo"),
            lowerDirs: [top, middle, TestRootfs.Busybox], ct: Ct);
        var status = await _h.Runtime.WaitAsync(name, process, Ct);

        string log = _h.Log(name);
        Assert.True(status?.Code == 0, log);
        Assert.StartsWith("top\nseen\n", log);
        string root = log.Split('\n')[2];
        Assert.True(root.Split("lowerdir+=").Length == 4, $"the isle's root is not an overlay of three lowerdir+ layers: {root}");
        Assert.DoesNotContain("lowerdir=", root);
        Assert.Contains(" - overlay overlay ", root); // its type and source, as mount(8) names them
    }

    /// <summary>
    /// A layer whose path fsconfig refuses (over its 255 bytes) is mounted the older way, at a staging point: the isle
    /// starts all the same, with the layer's files, and the staging point is gone again.
    /// </summary>
    [Fact]
    public async Task LayerPathTooLongForFsconfig_MountedTheOlderWay_IsleStartsWithItsFiles()
    {
        string top = Path.Combine(_h.HostDir, new string('l', 120), new string('m', 120), "top");
        Directory.CreateDirectory(top);
        Assert.True(top.Length > 255, top);
        File.WriteAllText(Path.Combine(top, "marker"), "long\n");
        string name = "t-" + Guid.NewGuid().ToString("N")[..8];
        _h.Track(name);
        var process = await _h.Runtime.StartAsync(name, IsleHarness.Spec("sh", "-c", "cat /marker; grep ' / / ' /proc/self/mountinfo"),
            lowerDirs: [top, TestRootfs.Busybox], ct: Ct);
        var status = await _h.Runtime.WaitAsync(name, process, Ct);

        string log = _h.Log(name);
        Assert.True(status?.Code == 0, log);
        Assert.StartsWith("long\n", log);
        Assert.Contains("lowerdir=", log.Split('\n')[1]);
        Assert.False(Directory.Exists(Path.Combine(_h.Paths.IsleRunDir(name), ".rootfs-staging")));
    }

    [Fact]
    public async Task DeletedIsle_LeavesNoMountAndNoDirectory_AndAnOlderIslandersHostMountIsUnmounted()
    {
        var (name, process) = await _h.StartAsync(IsleHarness.Spec("true"));
        await _h.Runtime.WaitAsync(name, process, Ct);
        // What an older islander left: the overlay mounted in the host at RUN/isles/NAME/rootfs.
        string target = Path.Combine(_h.Paths.IsleRunDir(name), "rootfs");
        Tools.Run("mount", "-t", "tmpfs", "legacy", target);

        await _h.Runtime.DeleteAsync(name, Ct, keepLog: false);

        Assert.DoesNotContain(File.ReadAllLines("/proc/self/mountinfo"), l => l.Split(' ')[4].StartsWith(_h.HostDir, StringComparison.Ordinal));
        Assert.False(Directory.Exists(_h.Paths.IsleRunDir(name)));
    }

    /// <summary>
    /// A delete renames the isle's directories away (one rename each) and deletes them in the background: the next isle
    /// of the name starts at once on a fresh writable layer and log, and nothing of the old one is left after.
    /// </summary>
    [Fact]
    public async Task DeletedIsle_ItsNameIsFreeAtOnce_ItsFilesGoInTheBackground()
    {
        var (name, process) = await _h.StartAsync(IsleHarness.Spec("sh", "-c", "echo old > /keep; echo first run"));
        await _h.Runtime.WaitAsync(name, process, Ct);

        await _h.Runtime.DeleteAsync(name, Ct, keepLog: false);

        Assert.False(Directory.Exists(_h.Paths.IsleStateDir(name)));
        Assert.False(Directory.Exists(_h.Paths.IsleRunDir(name)));
        var again = await _h.Runtime.StartAsync(name, IsleHarness.Spec("sh", "-c", "cat /keep 2>&1; echo second run"), ct: Ct);
        Assert.Equal(0, (await _h.Runtime.WaitAsync(name, again, Ct))?.Code);
        Assert.Equal("cat: can't open '/keep': No such file or directory\nsecond run\n", _h.Log(name));
        await _h.Runtime.DiscardedAsync();
        foreach (var root in new[] { _h.Paths.IslesStateRoot, _h.Paths.IslesRunRoot })
            Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(root, ".trash")));
    }
}
