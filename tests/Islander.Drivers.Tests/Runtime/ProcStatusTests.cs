using Islander.Drivers.Runtime;

namespace Islander.Drivers.Tests.Runtime;

public class ProcStatusTests
{
    const string Status = "Name:\tsleep\nUmask:\t0022\nState:\tS (sleeping)\nPid:\t23456\nUid:\t100000\t100000\t100000\t100000\nGid:\t100000\t100000\t100000\t100000\nNSpid:\t23456\t15\n";

    [Fact]
    public void InnermostPid_NestedNamespace_LastField() => Assert.Equal(15, ProcStatus.InnermostPid(Status));

    [Fact]
    public void InnermostPid_NoNSpidLine_Null() => Assert.Null(ProcStatus.InnermostPid("Name:\tx\nPid:\t7\n"));

    [Fact]
    public void RealUid_FirstField() => Assert.Equal(100000u, ProcStatus.RealUid(Status));

    [Theory]
    [InlineData("         0     100000      65536\n", 100000u, 0u)]
    [InlineData("         0     100000      65536\n", 101000u, 1000u)]
    [InlineData("         0     100000      65536\n", 5u, 5u)]        // not mapped: shown as is
    [InlineData("         0          0 4294967295\n", 1000u, 1000u)] // the identity map (no user namespace)
    [InlineData(null, 42u, 42u)]
    public void Inside_ThroughUidMap(string? map, uint outside, uint inside) => Assert.Equal(inside, ProcStatus.Inside(map, outside));

    [Fact]
    public void Command_NulSeparated_SpacedLikePs() =>
        Assert.Equal("sh -c sleep 1000 & wait", ProcStatus.Command("sh\0-c\0sleep 1000 & wait\0"u8));

    [Fact]
    public void Command_Empty_Null() => Assert.Null(ProcStatus.Command(""u8));
}
