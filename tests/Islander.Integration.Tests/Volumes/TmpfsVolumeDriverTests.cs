using Islander.Drivers.Rootfs;
using Islander.Drivers.Volumes;
using Islander.Testing;

namespace Islander.Integration.Tests.Volumes;

/// <summary>The contract on real tmpfs mounts, as root.</summary>
[Collection(VolumeCollection.Name)]
public sealed class TmpfsVolumeDriverTests : RealVolumeDriverContract
{
    readonly string _root = Path.Combine(Path.GetTempPath(), "islander-test-voltmpfs-" + Guid.NewGuid().ToString("N")[..8]);

    protected override string Root => _root;

    protected override IVolumeDriver NewDriver()
    {
        HostCaps.RequireRoot();
        return new TmpfsVolumeDriver(_root);
    }

    [Fact]
    public void Create_MountsATmpfsWithSizeAndMode()
    {
        var path = Driver.Create(NewVolume("data"), Spec(8 * MiB), TestContext.Current.CancellationToken);

        var mount = Assert.Single(MountInfo.Parse(File.ReadAllText("/proc/self/mountinfo")), m => m.MountPoint == path);
        Assert.Equal("tmpfs", mount.FsType);
        Assert.Contains("size=8192k", mount.SuperOptions);
        Assert.Contains("mode=755", mount.SuperOptions);
        Assert.Contains("nosuid", mount.Options);
        Assert.Contains("nodev", mount.Options);
    }

    [Fact]
    public void Delete_Unmounts()
    {
        var path = Driver.Create(NewVolume("data"), Spec(), TestContext.Current.CancellationToken);
        Driver.Delete("data", TestContext.Current.CancellationToken);
        Assert.False(MountInfo.IsMountPoint(path));
        Assert.False(Directory.Exists(path));
    }

    [Fact]
    public void Exists_MountPointWithoutTmpfs_False()
    {
        // What a reboot leaves: the directory, not the mount. Create mounts a fresh, empty tmpfs on it.
        Directory.CreateDirectory(Path.Combine(_root, "data"));
        File.WriteAllText(Path.Combine(_root, "data", "stale"), "x");

        Assert.False(Driver.Exists(NewVolume("data"), TestContext.Current.CancellationToken));
        Assert.Empty(Driver.List(TestContext.Current.CancellationToken));
        var path = Driver.Create("data", Spec(), TestContext.Current.CancellationToken);
        Assert.False(File.Exists(Path.Combine(path, "stale")));
    }

    [Fact]
    public void Resize_BelowWhatItHolds_ThrowsConflict()
    {
        var path = Driver.Create(NewVolume("data"), Spec(16 * MiB), TestContext.Current.CancellationToken);
        Write("data", path, "f", new byte[8 * MiB]);

        var e = Assert.Throws<VolumeException>(() => Driver.Resize("data", 4 * MiB, TestContext.Current.CancellationToken));
        Assert.Equal(Model.ErrorCategory.Conflict, e.Category);
    }
}
