using Islander.Model.Api;
using Islander.Cli.Commands;

namespace Islander.Controller.Tests.Cli;

public class StatsFrameTests
{
    static IsleStatsView Sample(string name, string timestamp, long? cpuNanos) => new(ApiJson.ApiVersion, IsleStatsView.KindName, new ObjectMetaView(name), timestamp,
        new CpuStatsView(cpuNanos), new MemoryStatsView(null, 0, false), new PidsStatsView(null, null), new BlockIOStatsView(null, null), null);

    static double? Percent(IsleStatsView o) => o.Cpu.Percent;

    [Fact]
    public void WithCpuPercent_HalfASecondOfCpuInOneSecond_Fifty()
    {
        var now = StatsFrame.WithCpuPercent(
            [Sample("web", "2026-11-24T04:00:00.0000000Z", 1_000_000_000)],
            [Sample("web", "2026-11-24T04:00:01.0000000Z", 1_500_000_000)]);

        Assert.Equal(50.0, Percent(now[0]));
    }

    [Fact]
    public void WithCpuPercent_TwoCoresOverTwoSeconds_TwoHundred()
    {
        var now = StatsFrame.WithCpuPercent(
            [Sample("web", "2026-11-24T04:00:00.0000000Z", 0)],
            [Sample("web", "2026-11-24T04:00:02.0000000Z", 4_000_000_000)]);

        Assert.Equal(200.0, Percent(now[0]));
    }

    [Fact]
    public void WithCpuPercent_NewIsleRestartedIsleOrUnknownCpu_Null()
    {
        var now = StatsFrame.WithCpuPercent(
            [Sample("restarted", "2026-11-24T04:00:00Z", 5_000_000_000), Sample("nocpu", "2026-11-24T04:00:00Z", null)],
            [Sample("new", "2026-11-24T04:00:01Z", 1), Sample("restarted", "2026-11-24T04:00:01Z", 1000), Sample("nocpu", "2026-11-24T04:00:01Z", null)]);

        Assert.All(now, o => Assert.Null(Percent(o)));
    }
}
