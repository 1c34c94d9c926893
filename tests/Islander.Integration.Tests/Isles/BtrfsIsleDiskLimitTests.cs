using Islander.Drivers.Volumes.Btrfs;
using Islander.Integration.Tests.Volumes;

namespace Islander.Integration.Tests.Isles;

/// <summary>btrfs: the layer is a subvolume with a qgroup limit, which btrfs enforces with EDQUOT.</summary>
public sealed class BtrfsIsleDiskLimitTests(BtrfsLoopFilesystem fs) : IsleDiskLimitTests, IClassFixture<BtrfsLoopFilesystem>
{
    protected override void Require() => fs.Require();

    protected override string NewRoot() => fs.NewRoot();

    protected override string Refusal => "Disk quota exceeded";

    protected override object LimitOf(string layer)
    {
        Assert.True(BtrfsSubvolume.IsSubvolume(layer), $"{layer} is a subvolume");
        return layer;
    }

    /// <summary>The limit is the subvolume's: it limits as long as the subvolume exists.</summary>
    protected override bool Limits(object limit) => BtrfsSubvolume.IsSubvolume((string)limit);
}
