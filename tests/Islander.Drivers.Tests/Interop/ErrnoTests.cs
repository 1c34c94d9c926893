using Islander.Drivers.Cgroups;
using Islander.Drivers.Interop;
using Islander.Drivers.Network.Netlink;
using Islander.Model;

// Not Islander.Drivers.Tests.Interop: that namespace would hide Islander.Drivers.Interop from the other test folders.
namespace Islander.Drivers.Tests;

/// <summary>One errno table for every exception that carries an errno: what users read, and the category the loop and the API act on.</summary>
public class ErrnoTests
{
    [Theory]
    [InlineData(Errno.ENOENT, ErrorCategory.NotFound)]
    [InlineData(Errno.ESRCH, ErrorCategory.NotFound)]
    [InlineData(Errno.EEXIST, ErrorCategory.AlreadyExists)]
    [InlineData(Errno.EBUSY, ErrorCategory.Transient)]
    [InlineData(Errno.EAGAIN, ErrorCategory.Transient)]
    [InlineData(Errno.EINTR, ErrorCategory.Transient)]
    [InlineData(Errno.ENOBUFS, ErrorCategory.Transient)]
    [InlineData(Errno.ENOSYS, ErrorCategory.Unsupported)]
    [InlineData(Errno.EOPNOTSUPP, ErrorCategory.Unsupported)]
    [InlineData(Errno.EPERM, ErrorCategory.Unknown)]
    [InlineData(Errno.EINVAL, ErrorCategory.Unknown)]
    public void Category_SyscallException_FollowsTheTable(int errno, ErrorCategory expected)
    {
        Assert.Equal(expected, Errno.Category(errno));
        Assert.Equal(expected, new SyscallException("open", "/x", errno).Category);
    }

    [Fact]
    public void Category_Enodev_MissingControllerForCgroupsMissingLinkForNetlink()
    {
        Assert.Equal(ErrorCategory.Unsupported, CgroupException.WriteFailed("/sys/fs/cgroup/x/io.max", "8:0 rbps=1", Errno.ENODEV).Category);
        Assert.Equal(ErrorCategory.NotFound, new NetlinkException("RTM_GETLINK (ip link show x)", Errno.ENODEV, null).Category);
        Assert.Equal(ErrorCategory.NotFound, new NetlinkException("RTM_DELADDR", Errno.EADDRNOTAVAIL, null).Category);
        Assert.Equal(ErrorCategory.Unknown, new SyscallException("open", "/dev/x", Errno.ENODEV).Category);
    }

    [Fact]
    public void Messages_NameTheErrnoOnceTheSameWay()
    {
        Assert.Equal("open /etc/x: ENOENT (No such file or directory)", new SyscallException("open", "/etc/x", Errno.ENOENT).Message);
        Assert.Equal("write /sys/fs/cgroup/islander/web/memory.max = 1: EBUSY (Device or resource busy)",
            CgroupException.WriteFailed("/sys/fs/cgroup/islander/web/memory.max", "1\n", Errno.EBUSY).Message);
        Assert.Equal("mount dst=/mnt, type=tmpfs, flags=ReadOnly|Bind: EPERM (Operation not permitted)",
            new MountException("mount", null, "/mnt", "tmpfs", MountFlags.ReadOnly | MountFlags.Bind, Errno.EPERM).Message);
        Assert.Equal("errno 200", Errno.Name(200));
    }

    [Fact]
    public void Throw_ErrnoFromACall_SyscallExceptionWithOpAndPath()
    {
        var e = Assert.Throws<SyscallException>(() => Errno.ThrowIfError(Errno.EACCES, "posix_spawn", "/bin/x"));
        Assert.Equal(("posix_spawn", "/bin/x", Errno.EACCES), (e.Op, e.Path, e.Errno));
        Errno.ThrowIfError(0, "posix_spawn", "/bin/x");
    }
}
