using Islander.Drivers.Volumes;
using Islander.Drivers.Volumes.Btrfs;
using Islander.Model;

namespace Islander.Drivers.Tests.Volumes;

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

            Assert.Equal(["dir", "tmpfs"], set.Drivers.Keys.Select(k => k.Name).Order());
            Assert.Equal(Path.Combine(root, "dir", "data"), set.For(VolumeDriverKind.Dir).Create("data", new VolumeSpec(), TestContext.Current.CancellationToken));
            var e = Assert.Throws<VolumeException>(() => set.For(new VolumeDriverKind("btrfs")));
            Assert.Equal(ErrorCategory.Unsupported, e.Category);
            Assert.Contains("mkfs.btrfs", e.Message);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
