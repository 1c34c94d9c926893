using Islander.Drivers.Interop;
using Tmds.Linux;

namespace Islander.Integration.Tests.Isles;

/// <summary><see cref="IsleDiskLimitTests"/> on a project-quota filesystem: the layer's directory carries the project id.</summary>
public abstract class ProjectQuotaIsleDiskLimitTests(ProjectQuotaFilesystem fs) : IsleDiskLimitTests
{
    protected override void Require() => fs.Require();

    protected override string NewRoot() => fs.NewRoot();

    protected override object LimitOf(string layer)
    {
        using var fd = LibcOpen(layer);
        Assert.Equal(0, QuotaInterop.GetProject(fd, out uint flags, out uint id));
        Assert.True((flags & QuotaInterop.ProjectInherit) != 0, "the layer's files inherit its project");
        return id;
    }

    protected override bool Limits(object limit)
    {
        using var fd = LibcOpen(fs.MountPoint);
        int errno = QuotaInterop.GetQuota(fd, (uint)limit, out var usage);
        return errno switch
        {
            0 => usage.BlockHardLimitKiB != 0,
            Errno.ENOENT /* no record left */ => false,
            _ => throw new SyscallException("quotactl_fd Q_GETQUOTA", fs.MountPoint, errno),
        };
    }

    static Microsoft.Win32.SafeHandles.SafeFileHandle LibcOpen(string path) => FileDescriptorInterop.OpenDirectory(path);
}
