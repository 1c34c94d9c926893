using Islander.Drivers.Interop;
using Islander.Drivers.Rootfs;
using Islander.Drivers.Runtime;
using Islander.Model;

namespace Islander.Drivers.Tests.Rootfs;

public class IsleMountPlanTests
{
    static readonly MountPlanInput Defaults = new()
    {
        Security = new IsleSecurity(),
        MaskedPaths = ["/proc/kcore", "/proc/acpi"],
        ReadOnlyPaths = ["/proc/sys"],
    };

    [Fact]
    public void Build_Defaults_BindsRootFirstThenProcDevSys()
    {
        var (mounts, _) = IsleMountPlan.Build("/run/r", Defaults);

        Assert.Equal(new MountOp("/run/r", "", null, MountFlags.Bind | MountFlags.Recursive), mounts[0]);
        Assert.Equal("proc", mounts[1].FsType);
        var targets = mounts.Select(m => m.Target).ToList();
        Assert.True(targets.IndexOf("dev") < targets.IndexOf("dev/pts"));
        Assert.Contains("dev/null", targets);
        Assert.Contains("dev/urandom", targets);
        Assert.Contains("dev/shm", targets);
        var sys = Assert.Single(mounts, m => m.Target == "sys");
        Assert.True(sys.Flags.HasFlag(MountFlags.ReadOnly));
    }

    [Fact]
    public void Build_Defaults_MasksFilesWithDevNullAndDirsWithReadOnlyTmpfs()
    {
        var (mounts, _) = IsleMountPlan.Build("/r", Defaults);

        var kcore = Assert.Single(mounts, m => m.Target == "proc/kcore");
        Assert.Equal("/dev/null", kcore.Source);
        Assert.True(kcore.Options.HasFlag(MountOpOptions.Optional));
        var acpi = Assert.Single(mounts, m => m.Target == "proc/acpi");
        Assert.Equal("tmpfs", acpi.FsType);
        Assert.True(acpi.Flags.HasFlag(MountFlags.ReadOnly));
    }

    [Fact]
    public void Build_ReadOnlyPath_BindThenRemountReadOnly()
    {
        var (mounts, _) = IsleMountPlan.Build("/r", Defaults);

        var sys = mounts.Where(m => m.Target == "proc/sys").ToList();
        Assert.Equal(2, sys.Count);
        Assert.Equal("/r/proc/sys", sys[0].Source);
        Assert.Null(sys[1].Source);
        Assert.True(sys[1].Flags.HasFlag(MountFlags.Remount | MountFlags.ReadOnly));
    }

    [Fact]
    public void Build_Privileged_BindsHostDevAndMasksNothing()
    {
        var (mounts, links) = IsleMountPlan.Build("/r", Defaults with { Security = new IsleSecurity { Privileged = true } });

        Assert.Equal("/dev", Assert.Single(mounts, m => m.Target == "dev").Source);
        Assert.DoesNotContain(mounts, m => m.Target.StartsWith("proc/"));
        Assert.False(Assert.Single(mounts, m => m.Target == "sys").Flags.HasFlag(MountFlags.ReadOnly));
        Assert.Empty(links);
    }

    [Fact]
    public void Build_UserNamespace_DevptsWithoutTtyGroup()
    {
        var security = new IsleSecurity { UserNamespace = new UserNamespace([new IdMapping(0, 100000, 65536)], [new IdMapping(0, 100000, 65536)]) };
        var (mounts, _) = IsleMountPlan.Build("/r", Defaults with { Security = security });

        Assert.DoesNotContain("gid=5", Assert.Single(mounts, m => m.Target == "dev/pts").Data);
    }

    [Fact]
    public void Build_Volumes_TmpfsAndReadOnlyBind()
    {
        var input = Defaults with
        {
            Volumes =
            [
                new VolumeMount { MountPath = "/scratch", Tmpfs = new TmpfsOptions(Size: 64 << 20) },
                new VolumeMount { MountPath = "/data", Name = "data", ReadOnly = true },
            ],
            NamedVolumePaths = new Dictionary<string, string> { ["data"] = "/var/lib/islander/volumes/data" },
        };
        var (mounts, _) = IsleMountPlan.Build("/r", input);

        var scratch = Assert.Single(mounts, m => m.Target == "scratch");
        Assert.Equal("mode=777,size=67108864", scratch.Data);
        var data = mounts.Where(m => m.Target == "data").ToList();
        Assert.Equal("/var/lib/islander/volumes/data", data[0].Source);
        Assert.True(data[1].Flags.HasFlag(MountFlags.Remount | MountFlags.ReadOnly));
    }

    [Fact]
    public void Build_NamedVolume_GoesAsAnFd_AHostPathByPath()
    {
        var input = Defaults with
        {
            Volumes =
            [
                new VolumeMount { MountPath = "/data", Name = "data" },
                new VolumeMount { MountPath = "/src", HostPath = "/home/u/src" },
            ],
            NamedVolumePaths = new Dictionary<string, string> { ["data"] = "/var/lib/islander/volumes/dir/data" },
        };
        var (mounts, _) = IsleMountPlan.Build("/r", input);

        var data = Assert.Single(mounts, m => m.Target == "data");
        Assert.True(data.Options.HasFlag(MountOpOptions.SourceFd));
        Assert.True(data.Flags.HasFlag(MountFlags.Recursive)); // opened as an rbind (AT_RECURSIVE)
        Assert.False(Assert.Single(mounts, m => m.Target == "src").Options.HasFlag(MountOpOptions.SourceFd));
        Assert.Single(mounts, m => m.Options.HasFlag(MountOpOptions.SourceFd));
    }

    [Fact]
    public void Build_ReadOnlyRootFilesystem_RemountsRootLast()
    {
        var (mounts, _) = IsleMountPlan.Build("/r", Defaults with { Security = new IsleSecurity { ReadOnlyRootFilesystem = true } });

        Assert.Equal(new MountOp(null, "", null, MountFlags.Bind | MountFlags.Remount | MountFlags.ReadOnly), mounts[^1]);
    }

    [Fact]
    public void Build_UnknownNamedVolume_Throws()
    {
        var input = Defaults with { Volumes = [new VolumeMount { MountPath = "/data", Name = "missing" }] };

        var e = Assert.Throws<IslanderException>(() => IsleMountPlan.Build("/r", input));
        Assert.Contains("missing", e.Message);
    }

    // A spec that did not pass validation (API, run, an older record) must not hide the isle's procfs either.
    [Theory]
    [InlineData("/proc", false)]
    [InlineData("/proc/", false)]
    [InlineData("//proc//sys", false)]
    [InlineData("/proc/self/fd", false)]
    [InlineData("/proc/meminfo", true)] // a tmpfs, not a bind of lxcfs's file
    public void Build_VolumeOnProc_IsRefused(string mountPath, bool tmpfs)
    {
        var volume = tmpfs ? new VolumeMount { MountPath = mountPath, Tmpfs = new TmpfsOptions() } : new VolumeMount { MountPath = mountPath, HostPath = "/srv" };

        var e = Assert.Throws<IslanderException>(() => IsleMountPlan.Build("/r", Defaults with { Volumes = [volume] }));

        Assert.Equal(ErrorCategory.InvalidManifest, e.Category);
        Assert.Contains("/proc", e.Message);
    }

    [Fact]
    public void Build_BindOfAnLxcfsFileUnderProc_IsAllowed()
    {
        var input = Defaults with { Volumes = [new VolumeMount { MountPath = "/proc/meminfo", HostPath = "/var/lib/lxcfs/proc/meminfo" }] };

        var (mounts, _) = IsleMountPlan.Build("/r", input);

        Assert.Contains(mounts, m => m.Target == "proc/meminfo" && m.Source == "/var/lib/lxcfs/proc/meminfo" && !m.Options.HasFlag(MountOpOptions.NotOnProc));
    }

    // isle-init refuses a volume whose path resolves into /proc through a link (/data -> /proc in the image).
    [Fact]
    public void Build_Volumes_AreNotToLandOnProc()
    {
        var input = Defaults with
        {
            Volumes =
            [
                new VolumeMount { MountPath = "/scratch", Tmpfs = new TmpfsOptions() },
                new VolumeMount { MountPath = "/data", HostPath = "/srv", ReadOnly = true },
            ],
        };

        var (mounts, _) = IsleMountPlan.Build("/r", input);

        Assert.Equal(3, mounts.Count(m => m.Target is "scratch" or "data" && m.Options.HasFlag(MountOpOptions.NotOnProc)));
        Assert.DoesNotContain(mounts, m => m.Target.StartsWith("proc", StringComparison.Ordinal) && m.Options.HasFlag(MountOpOptions.NotOnProc));
    }
}
