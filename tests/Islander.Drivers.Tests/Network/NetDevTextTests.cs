using Islander.Drivers.Network;

namespace Islander.Drivers.Tests.Network;

public class NetDevTextTests
{
    // /proc/PID/net/dev of an isle on two networks, as the kernel prints it.
    const string IsleNetDev = """
        Inter-|   Receive                                                |  Transmit
         face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
            lo:    8400     100    0    0    0     0          0         0     8400     100    0    0    0     0       0          0
          eth0: 1048576     812    0    0    0     0          0         0    20480     150    0    0    0     0       0          0
          eth1:12345678   10000    0    3    0     0          0         7      512       4    0    0    0     0       0          0

        """;

    [Fact]
    public void Totals_SumsInterfacesButLoopback() =>
        Assert.Equal((1048576L + 12345678, 20480L + 512), NetDevText.Totals(IsleNetDev));

    [Fact]
    public void Totals_OnlyLoopback_Zero() =>
        Assert.Equal((0L, 0L), NetDevText.Totals(IsleNetDev.Split('\n')[0] + "\n" + IsleNetDev.Split('\n')[1] + "\n" + IsleNetDev.Split('\n')[2] + "\n"));

    [Fact]
    public void Totals_Empty_Zero() => Assert.Equal((0L, 0L), NetDevText.Totals(""));
}
