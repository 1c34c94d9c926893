using Islander.Drivers.Volumes;
using Islander.Drivers.Volumes.Btrfs;
using Islander.Model;

namespace Islander.Drivers.Tests.Volumes;

public class TmpfsMountDataTests
{
    [Fact]
    public void Format_WithSize_ModeAndSizeInBytes() => Assert.Equal("mode=0755,size=16777216", TmpfsMountData.Format(16 << 20));

    [Fact]
    public void Format_NoSize_LeavesTmpfsItsDefault() => Assert.Equal("mode=0755", TmpfsMountData.Format(null));

    [Fact]
    public void Resize_NoSize_GoesBackToHalfOfRam() => Assert.Equal("size=50%", TmpfsMountData.Resize(null));

    [Theory]
    [InlineData(1L, 4096L)]
    [InlineData(4096L, 4096L)]
    [InlineData(4097L, 8192L)]
    public void Rounded_UpToWholePages(long size, long expected) => Assert.Equal(expected, TmpfsMountData.Rounded(size, 4096));
}

public class BtrfsQgroupUsageTests
{
    [Fact]
    public void Parse_NoLimit_IsNull() => Assert.Equal(new BtrfsQgroupUsage(16384, null), BtrfsQgroupUsage.Parse("16384\n", "0\n"));

    [Fact]
    public void Parse_Limit_IsBytes() => Assert.Equal(new BtrfsQgroupUsage(1048576, 16777216), BtrfsQgroupUsage.Parse("1048576\n", "16777216\n"));

    [Fact]
    public void Read_FromASysfsTree()
    {
        var sysfs = Directory.CreateTempSubdirectory("islander-test-sysfs-").FullName;
        try
        {
            var dir = Path.Combine(BtrfsQgroupUsage.QgroupsDirectory("uuid", sysfs), "0_257");
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "referenced"), "20480\n");
            File.WriteAllText(Path.Combine(dir, "max_referenced"), "0\n");

            Assert.Equal(new BtrfsQgroupUsage(20480, null), BtrfsQgroupUsage.Read(BtrfsQgroupUsage.QgroupsDirectory("uuid", sysfs), 257));
            Assert.Null(BtrfsQgroupUsage.Read(BtrfsQgroupUsage.QgroupsDirectory("uuid", sysfs), 258));
        }
        finally
        {
            Directory.Delete(sysfs, recursive: true);
        }
    }
}

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

public class VolumeLayoutTests
{
    [Fact]
    public void Paths_UnderTheRoot()
    {
        var layout = new VolumeLayout("/var/lib/islander/volumes/btrfs/");
        Assert.Equal("/var/lib/islander/volumes/btrfs/data", layout.Volume("data"));
        Assert.Equal("/var/lib/islander/volumes/btrfs/.snapshots/data/s1", layout.Snapshot("data", "s1"));
        Assert.Equal("/var/lib/islander/volumes/btrfs/.staging/data", layout.Staging("data"));
    }

    [Fact]
    public void Root_Relative_Throws() => Assert.Throws<ArgumentException>(() => new VolumeLayout("volumes"));
}

public class VolumeDriverSetTests
{
    [Fact]
    public void Open_OffBtrfs_OffersDirAndTmpfsAndSaysWhyNotBtrfs()
    {
        Assert.SkipWhen(Interop.FileSystemInterop.Statfs(Path.GetTempPath()).Type == Interop.FileSystemStats.BtrfsMagic, "the temp directory is on btrfs");
        var root = Directory.CreateTempSubdirectory("islander-test-volset-").FullName;
        try
        {
            var set = VolumeDriverSet.Open(root);

            Assert.Equal([VolumeDriverKind.Dir, VolumeDriverKind.Tmpfs], set.Drivers.Keys.Order());
            Assert.Equal(Path.Combine(root, "dir", "data"), set.For(VolumeDriverKind.Dir).Create("data", new VolumeSpec()));
            var e = Assert.Throws<VolumeException>(() => set.For(VolumeDriverKind.Btrfs));
            Assert.Equal(ErrorCategory.Unsupported, e.Category);
            Assert.Contains("mkfs.btrfs", e.Message);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
