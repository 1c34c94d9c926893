using Islander.Drivers.Interop;
using Islander.Drivers.Rootfs;

namespace Islander.Drivers.Tests.Rootfs;

public class LayerQuotaProbeTests
{
    const long Btrfs = 0x9123683E, Tmpfs = 0x01021994;

    [Fact]
    public void From_XfsWithEnforcedProjectQuota_Project() =>
        Assert.Equal(new LayerQuotaProbe(LayerQuotaKind.Project, null), LayerQuotaProbe.From("/var/lib/islander", FileSystemStats.XfsMagic, 0, 0x30));

    [Fact]
    public void From_Btrfs_SubvolumeQgroups() =>
        Assert.Equal(LayerQuotaKind.Btrfs, LayerQuotaProbe.From("/var/lib/islander", Btrfs, 3, 0).Kind);

    [Fact]
    public void From_Ext4WithoutPrjquota_SaysWhatToDo()
    {
        var probe = LayerQuotaProbe.From("/var/lib/islander", FileSystemStats.Ext4Magic, 3 /* ESRCH */, 0);

        Assert.Equal(LayerQuotaKind.None, probe.Kind);
        Assert.Equal(
            "resources.disk needs the state directory on XFS mounted with prjquota, on ext4 with the project feature mounted with prjquota " +
            "(tune2fs -O project,quota; mount -o prjquota), or on btrfs; /var/lib/islander is on ext4: project quotas are off " +
            "(not mounted with prjquota, or a kernel without quota support for it)", probe.Reason);
    }

    [Fact]
    public void From_XfsCountingOnly_SaysNotEnforced() =>
        Assert.EndsWith("is on XFS: project quotas are counted but not enforced (mounted with pqnoenforce)",
            LayerQuotaProbe.From("/s", FileSystemStats.XfsMagic, 0, 0x10).Reason);

    [Fact]
    public void From_Ext4WithoutQuotaSupport_ProjectQuotasOff() =>
        Assert.EndsWith("/s is on ext4: project quotas are off (not mounted with prjquota, or a kernel without quota support for it)",
            LayerQuotaProbe.From("/s", FileSystemStats.Ext4Magic, 38 /* ENOSYS */, 0).Reason);

    [Fact]
    public void From_Tmpfs_NamesTheType() =>
        Assert.EndsWith("/s is on a filesystem of type 0x1021994: it has no project quotas", LayerQuotaProbe.From("/s", Tmpfs, 38, 0).Reason);
}
