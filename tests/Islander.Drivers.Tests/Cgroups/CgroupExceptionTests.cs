using Islander.Drivers.Cgroups;
using Islander.Model;

namespace Islander.Drivers.Tests.Cgroups;

public class CgroupExceptionTests
{
    [Fact]
    public void WriteFailed_NamesFileValueAndErrno()
    {
        var e = CgroupException.WriteFailed("/sys/fs/cgroup/memory/islander/web/memory.limit_in_bytes", "1000", 16);
        Assert.StartsWith("write /sys/fs/cgroup/memory/islander/web/memory.limit_in_bytes = 1000: EBUSY", e.Message);
        Assert.Equal(ErrorCategory.Transient, e.Category);
        Assert.Equal(16, e.Errno);
        Assert.Equal("1000", e.Value);
    }

    [Fact]
    public void SyscallFailed_Enoent_NotFound()
    {
        var e = CgroupException.SyscallFailed("mkdir", "/sys/fs/cgroup/x", 2);
        Assert.StartsWith("mkdir /sys/fs/cgroup/x: ENOENT", e.Message);
        Assert.Equal(ErrorCategory.NotFound, e.Category);
    }

    [Theory]
    [InlineData("web")]
    [InlineData("db-1")]
    [InlineData("a_b.c")]
    public void Isle_PlainNames_Accepted(string name) => Assert.Equal(name, CgroupName.Isle(name));

    [Fact]
    public void Parent_Nested_Accepted() => Assert.Equal("system.slice/islander", CgroupName.Parent("system.slice/islander"));

    [Theory]
    [InlineData("/islander")]
    [InlineData("../x")]
    [InlineData("a//b")]
    public void Parent_Climbing_Rejected(string parent) => Assert.Throws<ArgumentException>(() => CgroupName.Parent(parent));
}
