using Islander.Drivers.Volumes;
using Islander.Drivers.Volumes.Btrfs;

namespace Islander.Integration.Tests.Volumes;

/// <summary>The contract on real btrfs subvolumes and qgroups, on a loop-mounted filesystem, as root.</summary>
[Collection(VolumeCollection.Name)]
public sealed class BtrfsVolumeDriverTests(BtrfsLoopFilesystem fs) : RealVolumeDriverContract, IClassFixture<BtrfsLoopFilesystem>
{
    readonly string _root = fs.NewRoot();

    protected override string Root => _root;

    protected override IVolumeDriver NewDriver()
    {
        fs.Require();
        return new BtrfsVolumeDriver(_root);
    }

    [Fact]
    public void Create_MakesASubvolumeWithItsOwnId()
    {
        var path = Driver.Create(NewVolume("data"), Spec(), TestContext.Current.CancellationToken);
        Driver.Create(NewVolume("logs"), Spec(), TestContext.Current.CancellationToken);

        Assert.True(BtrfsSubvolume.IsSubvolume(path));
        Assert.NotEqual(BtrfsSubvolume.Id(path), BtrfsSubvolume.Id(Path.Combine(_root, "logs")));
        Assert.NotEqual(BtrfsSubvolume.Id(fs.MountPoint), BtrfsSubvolume.Id(path));
    }

    [Fact]
    public void Snapshot_IsAReadOnlySubvolume()
    {
        var path = Driver.Create(NewVolume("data"), Spec(), TestContext.Current.CancellationToken);
        Driver.Snapshot("data", "s1", TestContext.Current.CancellationToken);

        string snapshot = Path.Combine(_root, ".snapshots", "data", "s1");
        Assert.True(BtrfsSubvolume.IsSubvolume(snapshot));
        var e = Assert.ThrowsAny<IOException>(() => File.WriteAllText(Path.Combine(snapshot, "f"), "x"));
        Assert.Contains("Read-only file system", e.Message);
    }

    [Fact]
    public void Create_WhereAPlainDirectorySits_ThrowsConflict()
    {
        Directory.CreateDirectory(Path.Combine(_root, "data"));
        var e = Assert.Throws<VolumeException>(() => Driver.Create("data", Spec(), TestContext.Current.CancellationToken));
        Assert.Equal(Model.ErrorCategory.Conflict, e.Category);
    }

    [Fact]
    public void Delete_WithANestedSubvolumeInside_DeletesBoth()
    {
        var path = Driver.Create(NewVolume("data"), Spec(), TestContext.Current.CancellationToken);
        // An isle may make one: BTRFS_IOC_SUBVOL_CREATE needs no privilege.
        Assert.True(BtrfsSubvolume.Create(Path.Combine(path, "inner")));
        File.WriteAllText(Path.Combine(path, "inner", "f"), "x");

        Driver.Delete("data", TestContext.Current.CancellationToken);

        Assert.False(Directory.Exists(path));
    }

    [Fact]
    public void Resize_None_RemovesTheLimit()
    {
        Driver.Create(NewVolume("data"), Spec(16 * MiB), TestContext.Current.CancellationToken);
        Driver.Resize("data", null, TestContext.Current.CancellationToken);
        Assert.Null(Driver.Inspect("data", TestContext.Current.CancellationToken).SizeLimit);
    }
}
