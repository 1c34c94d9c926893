using Islander.Drivers.Cgroups;

namespace Islander.Drivers.Tests.Cgroups;

public class CgroupDetectorTests
{
    const long Cgroup2 = 0x63677270, Tmpfs = 0x01021994;

    [Fact]
    public void Classify_RootIsCgroup2_Unified() => Assert.Equal(CgroupLayout.Unified, CgroupDetector.Classify(Cgroup2, null));

    [Fact]
    public void Classify_TmpfsWithUnifiedCgroup2_Hybrid() => Assert.Equal(CgroupLayout.Hybrid, CgroupDetector.Classify(Tmpfs, Cgroup2));

    [Fact]
    public void Classify_TmpfsAlone_Legacy() => Assert.Equal(CgroupLayout.Legacy, CgroupDetector.Classify(Tmpfs, null));

    [Fact]
    public void V2Controllers_KnownNamesOnly() =>
        Assert.Equal(new HashSet<CgroupController> { CgroupController.Cpuset, CgroupController.Cpu, CgroupController.Io, CgroupController.Memory, CgroupController.Pids },
            CgroupDetector.V2Controllers("cpuset cpu io memory hugetlb pids rdma misc\n"));

    [Fact]
    public void Host_Hybrid_IsV1WithDeviceAllowlist()
    {
        var host = new CgroupHost("/sys/fs/cgroup", CgroupLayout.Hybrid, new HashSet<CgroupController> { CgroupController.Devices });
        Assert.Equal(CgroupVersion.V1, host.Version);
        Assert.True(host.DeviceAllowlist);
    }

    [Fact]
    public void Host_Unified_DeviceAllowlistThroughBpf()
    {
        var host = new CgroupHost("/sys/fs/cgroup", CgroupLayout.Unified, new HashSet<CgroupController> { CgroupController.Memory });
        Assert.Equal(CgroupVersion.V2, host.Version);
        Assert.True(host.DeviceAllowlist);
    }

    [Fact]
    public void Host_LegacyWithoutDevicesHierarchy_NoDeviceAllowlist()
    {
        var host = new CgroupHost("/sys/fs/cgroup", CgroupLayout.Legacy, new HashSet<CgroupController> { CgroupController.Memory });
        Assert.False(host.DeviceAllowlist);
    }

    [Fact]
    public void CreateDriver_PicksByVersion()
    {
        var v2 = new CgroupHost("/tmp/x", CgroupLayout.Unified, new HashSet<CgroupController>());
        var v1 = new CgroupHost("/tmp/x", CgroupLayout.Hybrid, new HashSet<CgroupController> { CgroupController.Memory });
        Assert.IsType<CgroupV2Driver>(CgroupDetector.CreateDriver(v2));
        Assert.IsType<CgroupV1Driver>(CgroupDetector.CreateDriver(v1));
    }

    [Fact]
    public void Detect_MissingRoot_Throws() =>
        Assert.Throws<CgroupException>(() => CgroupDetector.Detect("/nonexistent-cgroup-root"));
}
