using System.Net;
using Islander.Drivers.Network.Netlink;

namespace Islander.Drivers.Tests.Network.Netlink;

/// <summary>Each request against the bytes iproute2 sends for the same operation (testdata/netlink/*.hex).</summary>
public class RtnlRequestTests
{
    [Fact]
    public void NewBridge_MatchesIpLinkAddTypeBridge() =>
        Assert.Equal(Golden.Hex("netlink/link-add-bridge.hex"), RtnlRequest.NewBridge("brx"));

    [Fact]
    public void NewVeth_MatchesIpLinkAddTypeVethPeer() =>
        Assert.Equal(Golden.Hex("netlink/link-add-veth.hex"), RtnlRequest.NewVeth("vh", "vp"));

    [Fact]
    public void NewVeth_PeerInNetns_PutsNetNsFdInsidePeer() =>
        Assert.Equal(Golden.Hex("netlink/link-add-veth-netns.hex"), RtnlRequest.NewVeth("vh2", "vp2", peerNetnsFd: 4));

    [Fact]
    public void NewVeth_WithMasterAndUp_TheHostEndEnslavedAndUp_ThePeerDown()
    {
        var message = RtnlRequest.NewVeth("vh2", "vp2", peerNetnsFd: 4, masterIndex: 7, up: true);
        var ifinfo = message.AsSpan(16, 16);
        Assert.Equal((uint)InterfaceFlags.Up, BitConverter.ToUInt32(ifinfo[8..12]));  // ifi_flags
        Assert.Equal((uint)InterfaceFlags.Up, BitConverter.ToUInt32(ifinfo[12..16])); // ifi_change
        var attrs = RtAttr.Parse(message.AsMemory(32));
        Assert.Equal(7u, attrs.Single(a => a.Type == (ushort)LinkAttr.Master).AsUInt32());
        var peer = attrs.Single(a => a.Type == (ushort)LinkAttr.LinkInfo).Nested()
            .Single(a => a.Type == (ushort)LinkInfoAttr.Data).Nested()
            .Single(a => a.Type == (ushort)VethInfoAttr.Peer);
        Assert.Equal(0u, BitConverter.ToUInt32(peer.Payload.Span[8..12])); // the peer's ifi_flags: it cannot open before the pair is joined
        var peerAttrs = RtAttr.Parse(peer.Payload[16..]);
        Assert.Equal("vp2", peerAttrs.Single(a => a.Type == (ushort)LinkAttr.IfName).AsString());
        Assert.Equal(4u, peerAttrs.Single(a => a.Type == (ushort)LinkAttr.NetNsFd).AsUInt32());
    }

    [Fact]
    public void SetMaster_MatchesIpLinkSetMaster() =>
        Assert.Equal(Golden.Hex("netlink/link-set-master.hex"), RtnlRequest.SetMaster(4, 2));

    [Fact]
    public void SetUp_MatchesIpLinkSetUp() =>
        Assert.Equal(Golden.Hex("netlink/link-set-up.hex"), RtnlRequest.SetUp(2));

    [Fact]
    public void SetName_MatchesIpLinkSetName() =>
        Assert.Equal(Golden.Hex("netlink/link-set-name.hex"), RtnlRequest.SetName(3, "eth0"));

    [Fact]
    public void NewAddress_MatchesIpAddrAdd() =>
        Assert.Equal(Golden.Hex("netlink/addr-add.hex"), RtnlRequest.NewAddress(2, IPAddress.Parse("10.211.0.1"), 24));

    [Fact]
    public void NewDefaultRoute_MatchesIpRouteAddDefaultVia() =>
        Assert.Equal(Golden.Hex("netlink/route-add-default.hex"), RtnlRequest.NewDefaultRoute(IPAddress.Parse("10.211.0.2")));

    [Fact]
    public void DelLink_MatchesIpLinkDel() =>
        Assert.Equal(Golden.Hex("netlink/link-del.hex"), RtnlRequest.DelLink(2));

    [Fact]
    public void SetDown_ClearsUpInFlagsButNotInChange()
    {
        var m = NetlinkMessage.Split(RtnlRequest.SetUp(7, up: false)).Single();
        Assert.Equal(new byte[] { 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0 }, m.Payload.ToArray());
    }

    [Fact]
    public void DumpLinks_HasDumpFlagAndNoAck()
    {
        var m = NetlinkMessage.Split(RtnlRequest.DumpLinks()).Single();
        Assert.Equal(NetlinkMessageType.GetLink, m.Type);
        Assert.Equal(NetlinkFlags.Request | NetlinkFlags.Dump, m.Flags);
    }

    [Theory]
    [InlineData("eth0", true)]
    [InlineData("islbr-123456789", true)]
    [InlineData("islbr-1234567890", false)] // 16 characters: over IFNAMSIZ-1
    [InlineData("", false)]
    [InlineData("a/b", false)]
    [InlineData("a:b", false)]
    [InlineData("a b", false)]
    public void IsValidName_FollowsDevValidName(string name, bool valid) =>
        Assert.Equal(valid, RtnlRequest.IsValidName(name));

    [Fact]
    public void NewBridge_NameTooLong_Throws() =>
        Assert.Throws<ArgumentException>(() => RtnlRequest.NewBridge("islbr-1234567890"));

    [Fact]
    public void NewAddress_Ipv6_Throws() =>
        Assert.Throws<ArgumentException>(() => RtnlRequest.NewAddress(1, IPAddress.IPv6Loopback, 64));
}
