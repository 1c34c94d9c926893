using Islander.Drivers.Security;

namespace Islander.Drivers.Tests.Security;

public class CapabilityNamesTests
{
    [Fact]
    public void All_NamesEveryEnumMemberInBitOrder()
    {
        Assert.Equal(41, CapabilityNames.All.Count);
        for (var n = 0; n < 41; n++)
        {
            var bit = (CapabilitySet)(1UL << n);
            var expected = CapabilityNames.All[n].Replace("_", "");
            Assert.Equal(expected, bit.ToString(), ignoreCase: true);
        }
    }

    [Theory]
    [InlineData("CHOWN", 0)]
    [InlineData("SYS_ADMIN", 21)]
    [InlineData("cap_checkpoint_restore", 40)]
    [InlineData(" CAP_BPF ", 39)]
    public void TryParse_KnownName_ReturnsBit(string name, int bit)
    {
        Assert.True(CapabilityNames.TryParse(name, out var cap));
        Assert.Equal((CapabilitySet)(1UL << bit), cap);
    }

    [Theory]
    [InlineData("ALL")]
    [InlineData("CAP_")]
    [InlineData("SYSADMIN")]
    [InlineData("")]
    public void TryParse_NotACapability_ReturnsFalse(string name) => Assert.False(CapabilityNames.TryParse(name, out _));

    [Fact]
    public void Format_SingleCapability_HasPrefix() => Assert.Equal("CAP_NET_ADMIN", CapabilityNames.Format(CapabilitySet.NetAdmin));

    [Fact]
    public void Format_TwoCapabilities_Throws() =>
        Assert.Throws<ArgumentException>(() => CapabilityNames.Format(CapabilitySet.NetAdmin | CapabilitySet.Chown));
}
