using Islander.Drivers.Volumes;
using Islander.Testing.Volumes;

namespace Islander.Drivers.Tests.Volumes;

/// <summary>The contract on the real dir driver over a temp directory: plain files, no root needed.</summary>
public class DirVolumeDriverTests : VolumeDriverContract
{
    readonly string _root = Path.Combine(Directory.CreateTempSubdirectory("islander-test-voldir-").FullName, "volumes");

    protected override IVolumeDriver NewDriver() => new DirVolumeDriver(_root);

    protected override void Cleanup() => Directory.Delete(Path.GetDirectoryName(_root)!, recursive: true);

    [Fact]
    public void Snapshot_Cancelled_ThrowsAndLeavesNoSnapshot()
    {
        Driver.Create(NewVolume("data"), Spec(), TestContext.Current.CancellationToken);
        File.WriteAllText(Path.Combine(_root, "data", "file"), "content");
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => Driver.Snapshot("data", "s1", cancelled.Token));

        Assert.DoesNotContain("s1", Driver.Inspect("data", TestContext.Current.CancellationToken).Snapshots);
        Driver.Snapshot("data", "s1", TestContext.Current.CancellationToken); // the next call converges
        Assert.Contains("s1", Driver.Inspect("data", TestContext.Current.CancellationToken).Snapshots);
    }

    [Fact]
    public void Create_LaysTheVolumeOutUnderTheRoot()
    {
        var path = Driver.Create(NewVolume("data"), Spec(), TestContext.Current.CancellationToken);
        Assert.Equal(Path.Combine(_root, "data"), path);
        Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(path));
    }

    [Fact]
    public void List_IgnoresItsOwnDotDirectoriesAndStrayNames()
    {
        Driver.Create(NewVolume("data"), Spec(), TestContext.Current.CancellationToken);
        Driver.Snapshot("data", "s1", TestContext.Current.CancellationToken);
        Directory.CreateDirectory(Path.Combine(_root, "Not_A_Name"));

        Assert.Equal(["data"], Driver.List(TestContext.Current.CancellationToken));
    }

    [Fact]
    public void SnapshotThenRestore_KeepsSymlinksModesAndSubdirectories()
    {
        var path = Driver.Create(NewVolume("data"), Spec(), TestContext.Current.CancellationToken);
        Directory.CreateDirectory(Path.Combine(path, "sub/deeper"));
        File.WriteAllText(Path.Combine(path, "sub/deeper/f"), "x");
        File.SetUnixFileMode(Path.Combine(path, "sub/deeper/f"), (UnixFileMode)0b110_000_000);
        File.CreateSymbolicLink(Path.Combine(path, "link"), "/etc/passwd");
        Driver.Snapshot("data", "s1", TestContext.Current.CancellationToken);
        Directory.Delete(Path.Combine(path, "sub"), recursive: true);
        File.Delete(Path.Combine(path, "link"));

        Driver.Restore("data", "s1", TestContext.Current.CancellationToken);

        Assert.Equal("x", File.ReadAllText(Path.Combine(path, "sub/deeper/f")));
        Assert.Equal((UnixFileMode)0b110_000_000, File.GetUnixFileMode(Path.Combine(path, "sub/deeper/f")));
        Assert.Equal("/etc/passwd", new FileInfo(Path.Combine(path, "link")).LinkTarget);
    }

    [Fact]
    public void Create_WhereAFileSits_ThrowsConflict()
    {
        Directory.CreateDirectory(_root);
        File.WriteAllText(Path.Combine(_root, "data"), "");
        var e = Assert.Throws<VolumeException>(() => Driver.Create("data", Spec(), TestContext.Current.CancellationToken));
        Assert.Equal(Model.ErrorCategory.Conflict, e.Category);
    }

    [Fact]
    public void Snapshot_KeepsOwners()
    {
        Assert.SkipUnless(Testing.HostCaps.IsRoot, "needs root to chown");
        var path = Driver.Create(NewVolume("data"), Spec(), TestContext.Current.CancellationToken);
        File.WriteAllText(Path.Combine(path, "f"), "x");
        Interop.FileInterop.Lchown(Path.Combine(path, "f"), 1234, 5678);

        Driver.Snapshot("data", "s1", TestContext.Current.CancellationToken);
        File.Delete(Path.Combine(path, "f"));
        Driver.Restore("data", "s1", TestContext.Current.CancellationToken);

        var stat = Interop.FileInterop.Lstat(Path.Combine(path, "f"));
        Assert.Equal((1234u, 5678u), (stat.Uid, stat.Gid));
    }

    [Fact]
    public void Replace_PutsTheStagedContentInPlaceAndReturnsTheOld()
    {
        var staged = Directory.CreateDirectory(Path.Combine(Path.GetDirectoryName(_root)!, "staged")).FullName;
        var volume = Directory.CreateDirectory(Path.Combine(Path.GetDirectoryName(_root)!, "volume")).FullName;
        File.WriteAllText(Path.Combine(staged, "new"), "");

        File.WriteAllText(Path.Combine(volume, "old"), "");

        var old = VolumeLayout.Replace(staged, volume);

        Assert.True(File.Exists(Path.Combine(volume, "new")));
        Assert.True(File.Exists(Path.Combine(old, "old")));
    }
}
