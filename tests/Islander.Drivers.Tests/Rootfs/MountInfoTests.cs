using Islander.Drivers.Rootfs;

namespace Islander.Drivers.Tests.Rootfs;

public class MountInfoTests
{
    [Fact]
    public void Parse_ProcManPageExample_ReadsFields()
    {
        var e = Assert.Single(MountInfo.Parse("36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue\n"));

        Assert.Equal((36, 35, "/mnt1", "/mnt2", "ext3", "/dev/root"), (e.Id, e.ParentId, e.Root, e.MountPoint, e.FsType, e.Source));
        Assert.Equal("rw,errors=continue", e.SuperOptions);
    }

    [Fact]
    public void Parse_NoOptionalFields_ReadsFields()
    {
        var e = Assert.Single(MountInfo.Parse("30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755"));

        Assert.Equal(("/sys/fs/cgroup", "tmpfs"), (e.MountPoint, e.FsType));
    }

    [Fact]
    public void Unescape_OctalSpace_BecomesSpace() =>
        Assert.Equal("/mnt/a b\\x", MountInfo.Unescape(@"/mnt/a\040b\134x"));
}
