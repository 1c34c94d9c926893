using Islander.Controller.Hosting;

namespace Islander.Controller.Tests.Hosting;

public sealed class IdleMemoryTrimTests
{
    const long MiB = 1 << 20;

    [Fact]
    public void Due_QuietAfterGrowth_Trims() =>
        Assert.True(IdleMemoryTrim.Due(IdleMemoryTrim.Quiet, 24 * MiB + IdleMemoryTrim.Growth, 24 * MiB));

    [Fact]
    public void Due_StillBusy_Waits() =>
        Assert.False(IdleMemoryTrim.Due(IdleMemoryTrim.Quiet - TimeSpan.FromMilliseconds(1), 100 * MiB, 24 * MiB));

    [Fact]
    public void Due_QuietWithoutGrowth_DoesNothing() =>
        Assert.False(IdleMemoryTrim.Due(TimeSpan.FromHours(1), 24 * MiB + IdleMemoryTrim.Growth - 1, 24 * MiB));

    [Fact]
    public void Due_FirstQuietAfterStart_TrimsWithoutGrowth() =>
        Assert.True(IdleMemoryTrim.Due(IdleMemoryTrim.Quiet, 24 * MiB, 24 * MiB, settled: false));

    [Fact]
    public void Due_BusyAfterStart_Waits() =>
        Assert.False(IdleMemoryTrim.Due(IdleMemoryTrim.Quiet - TimeSpan.FromMilliseconds(1), 24 * MiB, 24 * MiB, settled: false));
}
