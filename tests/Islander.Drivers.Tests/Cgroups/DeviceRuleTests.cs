using Islander.Drivers.Cgroups;

namespace Islander.Drivers.Tests.Cgroups;

public class DeviceRuleTests
{
    [Theory]
    [InlineData(DeviceType.Char, 1u, 3u, DeviceAccess.All, "c 1:3 rwm")]
    [InlineData(DeviceType.Char, 136u, null, DeviceAccess.All, "c 136:* rwm")]
    [InlineData(DeviceType.Block, null, null, DeviceAccess.Mknod, "b *:* m")]
    [InlineData(DeviceType.Char, 1u, 1u, DeviceAccess.Read | DeviceAccess.Write, "c 1:1 rw")]
    [InlineData(DeviceType.All, null, null, DeviceAccess.All, "a")]
    public void ToString_V1Syntax(DeviceType type, uint? major, uint? minor, DeviceAccess access, string expected) =>
        Assert.Equal(expected, new DeviceRule(true, type, major, minor, access).ToString());

    [Fact]
    public void For_Allowlist_DenyEverythingThenDockersList()
    {
        var rules = DeviceRules.For(DevicePolicy.Allowlist);
        Assert.Equal(new DeviceRule(false, DeviceType.All, null, null, DeviceAccess.All), rules[0]);
        Assert.Equal(DeviceRules.DockerAllowed, rules.Skip(1));
        Assert.All(rules.Skip(1), r => Assert.True(r.Allow));
    }

    [Fact]
    public void For_AllowAll_OneRule() =>
        Assert.Equal([new DeviceRule(true, DeviceType.All, null, null, DeviceAccess.All)], DeviceRules.For(DevicePolicy.AllowAll));

    [Fact]
    public void Covers_WildcardsAndPartialAccess()
    {
        var pts = DeviceRule.Allowed(DeviceType.Char, 136, null);
        Assert.True(pts.Covers(DeviceType.Char, 136, 7, DeviceAccess.Read));
        Assert.False(pts.Covers(DeviceType.Block, 136, 7, DeviceAccess.Read));
        var mknod = DeviceRule.Allowed(DeviceType.Char, null, null, DeviceAccess.Mknod);
        Assert.True(mknod.Covers(DeviceType.Char, 1, 1, DeviceAccess.Mknod));
        Assert.False(mknod.Covers(DeviceType.Char, 1, 1, DeviceAccess.Mknod | DeviceAccess.Read));
    }
}
