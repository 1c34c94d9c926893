using Islander.Drivers.Rootfs;

namespace Islander.Drivers.Tests.Rootfs;

public class OverlayRootfsTests
{
    [Fact]
    public void Options_LayersTopFirst_JoinedWithColons() =>
        Assert.Equal("lowerdir=/l1:/l2,upperdir=/u,workdir=/w", OverlayRootfs.Options(["/l1", "/l2"], "/u", "/w"));

    [Fact]
    public void Options_SeparatorsInPaths_AreEscaped() =>
        Assert.Equal(@"lowerdir=/a\:b,upperdir=/u\,1,workdir=/w", OverlayRootfs.Options(["/a:b"], "/u,1", "/w"));

    [Fact]
    public void DetachedOptions_OneLowerdirPlusPerLayerTopFirstAsItIs_UpperAndWorkEscaped() =>
        Assert.Equal(
            [("source", "overlay"), ("lowerdir+", "/a:b"), ("lowerdir+", "/l2,x"), ("upperdir", @"/u\,1"), ("workdir", @"/w\:2")],
            OverlayRootfs.DetachedOptions(["/a:b", "/l2,x"], "/u,1", "/w:2"));
}
