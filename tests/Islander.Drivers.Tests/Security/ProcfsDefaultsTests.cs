using Islander.Drivers.Security;

namespace Islander.Drivers.Tests.Security;

public class ProcfsDefaultsTests
{
    [Fact]
    public void MaskedPaths_AreDockersDefaults() => Assert.Equal(
        ["/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
         "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap"],
        ProcfsDefaults.MaskedPaths);

    [Fact]
    public void ReadonlyPaths_AreDockersDefaults() => Assert.Equal(
        ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
        ProcfsDefaults.ReadonlyPaths);

    [Fact]
    public void Paths_AreAbsoluteAndDisjoint()
    {
        Assert.All(ProcfsDefaults.MaskedPaths.Concat(ProcfsDefaults.ReadonlyPaths), p => Assert.StartsWith("/", p));
        Assert.Empty(ProcfsDefaults.MaskedPaths.Intersect(ProcfsDefaults.ReadonlyPaths));
    }
}
