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
