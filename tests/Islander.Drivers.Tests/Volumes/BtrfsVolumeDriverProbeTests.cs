using Islander.Drivers.Volumes;
using Islander.Drivers.Volumes.Btrfs;
using Islander.Model;

namespace Islander.Drivers.Tests.Volumes;

public class BtrfsVolumeDriverProbeTests
{
    [Fact]
    public void Probe_RootNotOnBtrfs_SaysWhatToDo()
    {
        Assert.SkipWhen(Interop.FileSystemInterop.Statfs(Path.GetTempPath()).Type == Interop.FileSystemStats.BtrfsMagic, "the temp directory is on btrfs");
        string root = Path.Combine(Path.GetTempPath(), "islander-test-nobtrfs", "volumes");

        var reason = BtrfsVolumeDriver.Probe(root);

        Assert.NotNull(reason);
        Assert.Contains("mkfs.btrfs", reason);
        Assert.Contains("driver dir", reason);
        var e = Assert.Throws<VolumeException>(() => new BtrfsVolumeDriver(root));
        Assert.Equal(ErrorCategory.Unsupported, e.Category);
        Assert.False(Directory.Exists(root));
    }
}
