using Islander.Drivers.Network;
using Islander.Drivers.Network.Netlink;

namespace Islander.Drivers.Tests.Network;

public class NetworkNamesTests
{
    [Fact]
    public void Bridge_ShortName_IsReadable() => Assert.Equal("islbr-backend", NetworkNames.Bridge("backend"));

    [Fact]
    public void Bridge_LongName_IsHashedAndFits()
    {
        string name = NetworkNames.Bridge("a-very-long-network-name");
        Assert.StartsWith("islb-", name);
        Assert.Equal(15, name.Length);
        Assert.Equal(name, NetworkNames.Bridge("a-very-long-network-name"));
    }

    [Fact]
    public void HostVeth_IsDeterministicValidAndPerNetworkAndIsle()
    {
        string v = NetworkNames.HostVeth("backend", "web");
        Assert.Equal(v, NetworkNames.HostVeth("backend", "web"));
        Assert.NotEqual(v, NetworkNames.HostVeth("frontend", "web"));
        Assert.NotEqual(v, NetworkNames.HostVeth("backend", "db"));
        Assert.StartsWith("isl-", v);
        Assert.True(RtnlRequest.IsValidName(v));
    }
}
