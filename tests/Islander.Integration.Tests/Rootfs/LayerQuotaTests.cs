using Islander.Drivers.Interop;
using Islander.Drivers.Rootfs;
using Islander.Integration.Tests.Isles;
using Tmds.Linux;

namespace Islander.Integration.Tests.Rootfs;

/// <summary>
/// <see cref="LayerQuota"/> on a real project-quota filesystem made by the test: the id it records on the layer's
/// directory, the limit the quota holds for it, the ids it leaves to others, and the release.
/// </summary>
public abstract class LayerQuotaTests(ProjectQuotaFilesystem fs) : IDisposable
{
    readonly string _projects = Path.GetTempFileName();

    public void Dispose()
    {
        GC.SuppressFinalize(this);
        File.Delete(_projects);
    }

    (LayerQuota Quota, string Layer) NewLayer(string isle = "web")
    {
        fs.Require();
        string root = fs.NewRoot();
        return (new LayerQuota(root, _projects), Path.Combine(root, "isles", isle, "fs"));
    }

    [Fact]
    public void Apply_NewLayer_FilesMadeInItAreChargedToItsLimit()
    {
        var (quota, layer) = NewLayer();

        quota.Apply(layer, 10 << 20);
        Directory.CreateDirectory(Path.Combine(layer, "upper"));
        File.WriteAllBytes(Path.Combine(layer, "upper", "f"), new byte[1 << 20]);

        var (flags, id) = Project(layer);
        Assert.Equal(ProjectIds.Candidates("web").First(), id);
        Assert.True((flags & QuotaInterop.ProjectInherit) != 0);
        Assert.Equal(id, Project(Path.Combine(layer, "upper")).Id);
        Assert.Equal(id, Project(Path.Combine(layer, "upper", "f"), directory: false).Id);
        var usage = Usage(id);
        Assert.Equal(10240UL, usage.BlockHardLimitKiB);
        Assert.InRange(usage.Bytes, 1UL << 20, 2UL << 20);
    }

    [Fact]
    public void Apply_FirstCandidateInEtcProjid_TakesTheNext()
    {
        var candidates = ProjectIds.Candidates("web").Take(2).ToList();
        File.WriteAllText(_projects, $"# the administrator's\nbackups:{candidates[0]}\n");
        var (quota, layer) = NewLayer();

        quota.Apply(layer, 1 << 20);

        Assert.Equal(candidates[1], Project(layer).Id);
    }

    [Fact]
    public void Apply_FirstCandidateLimitedAlready_TakesTheNext()
    {
        var (first, taken) = NewLayer();
        var (second, layer) = NewLayer(); // same isle name, another state root on the same filesystem
        first.Apply(taken, 1 << 20);

        second.Apply(layer, 1 << 20);

        Assert.Equal(ProjectIds.Candidates("web").Skip(1).First(), Project(layer).Id);
    }

    [Fact]
    public void Release_LimitedLayer_LimitLiftedAndIdFreeOnceDeleted()
    {
        var (quota, layer) = NewLayer();
        quota.Apply(layer, 1 << 20);
        uint id = Project(layer).Id;

        quota.Release(layer);
        Directory.Delete(layer, recursive: true);
        FileSystemInterop.Syncfs(fs.MountPoint); // XFS frees deleted inodes' blocks in the background; syncfs waits for it

        Assert.Equal(0UL, Usage(id).BlockHardLimitKiB);
        var (again, next) = NewLayer();
        again.Apply(next, 1 << 20);
        Assert.Equal(id, Project(next).Id); // freed: the same isle gets its id back
    }

    static (uint Flags, uint Id) Project(string path, bool directory = true)
    {
        using var fd = FileDescriptorInterop.Open(path, LibC.O_RDONLY | LibC.O_CLOEXEC | (directory ? LibC.O_DIRECTORY : 0));
        Assert.Equal(0, QuotaInterop.GetProject(fd, out uint flags, out uint id));
        return (flags, id);
    }

    QuotaInterop.Usage Usage(uint id)
    {
        using var fd = FileDescriptorInterop.Open(fs.MountPoint, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC);
        int errno = QuotaInterop.GetQuota(fd, id, out var usage);
        return errno == Errno.ENOENT /* no record */ ? default : errno == 0 ? usage : throw new SyscallException("quotactl_fd Q_GETQUOTA", fs.MountPoint, errno);
    }
}
