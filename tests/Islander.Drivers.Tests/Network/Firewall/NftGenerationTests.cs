using Islander.Drivers.Network.Firewall;
using Islander.Drivers.Network.Netlink;

namespace Islander.Drivers.Tests.Network.Firewall;

public class NftGenerationTests
{
    [Fact]
    public void Request_IsGetGenOfTheNftablesSubsystem_WithAnEmptyNfgenmsg()
    {
        Assert.Equal(
            new byte[] { 20, 0, 0, 0, 0x10, 0x0a, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
            NftGeneration.Request());
    }

    [Fact]
    public void Parse_NewGen_ReadsTheBigEndianId()
    {
        // nfgenmsg, then NFTA_GEN_ID (len 8, type 1) = 0x01020304, then NFTA_GEN_PROC_PID (type 2).
        byte[] payload = [0, 0, 0, 0, 8, 0, 1, 0, 1, 2, 3, 4, 8, 0, 2, 0, 9, 9, 9, 9];
        var answer = new NetlinkMessage((NetlinkMessageType)0x0a0f, 0, 1, 0, payload);
        Assert.Equal(0x01020304u, NftGeneration.Parse(answer));
    }

    [Fact]
    public void Parse_AnotherMessage_IsNull()
    {
        byte[] payload = [0, 0, 0, 0, 8, 0, 1, 0, 1, 2, 3, 4];
        Assert.Null(NftGeneration.Parse(new NetlinkMessage((NetlinkMessageType)0x0a10, 0, 1, 0, payload)));
        Assert.Null(NftGeneration.Parse(new NetlinkMessage((NetlinkMessageType)0x0a0f, 0, 1, 0, new byte[] { 0, 0, 0, 0 })));
    }
}
