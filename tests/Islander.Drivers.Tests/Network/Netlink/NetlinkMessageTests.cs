using System.Buffers.Binary;
using System.Net;
using Islander.Drivers.Network.Netlink;

namespace Islander.Drivers.Tests.Network.Netlink;

public class NetlinkMessageTests
{
    [Fact]
    public void Split_KernelLinkAnswer_ParsesBothMessages()
    {
        var messages = NetlinkMessage.Split(Golden.Hex("netlink/link-show-veth.hex"));

        Assert.Equal([NetlinkMessageType.Error, NetlinkMessageType.NewLink], messages.Select(m => m.Type));
        Assert.Equal(0x6b04e0bcu, messages[1].Sequence);
    }

    [Fact]
    public void NetworkLinkParse_Veth_ReadsNameIndexMasterKindPeerMtuFlags()
    {
        var m = NetlinkMessage.Split(Golden.Hex("netlink/link-show-veth.hex"))[1];

        var link = NetworkLink.Parse(m.Payload);

        Assert.Equal(new NetworkLink(4, "vh", InterfaceFlags.Up | InterfaceFlags.Broadcast | InterfaceFlags.Multicast, 2, "veth", 3, null, 1500), link);
        Assert.True(link.IsUp);
    }

    [Fact]
    public void ReadError_EExist_ReturnsErrnoWithoutText()
    {
        var m = NetlinkMessage.Split(Golden.Hex("netlink/error-eexist.hex")).Single();

        Assert.Equal(NetlinkMessageType.Error, m.Type);
        Assert.Equal((17, (string?)null), m.ReadError());
    }

    [Fact]
    public void ReadError_Ack_ReturnsZero()
    {
        var m = NetlinkMessage.Split(Golden.Hex("netlink/link-show-veth.hex"))[0];
        Assert.Equal(19, m.ReadError().Errno); // the stray ENODEV
    }

    [Fact]
    public void ReadError_ExtendedAck_ReturnsKernelText()
    {
        // NLMSG_ERROR, flags CAPPED|ACK_TLVS, error -22, echoed header only, then NLMSGERR_ATTR_MSG.
        var b = new NetlinkMessageBuilder(NetlinkMessageType.Error, NetlinkFlags.Capped | NetlinkFlags.AckTlvs);
        var payload = new byte[4 + 16];
        BinaryPrimitives.WriteInt32LittleEndian(payload, -22);
        BinaryPrimitives.WriteUInt32LittleEndian(payload.AsSpan(4), 40);
        var raw = new List<byte>(b.ToArray()[..16]);
        raw.AddRange(payload);
        var attr = new NetlinkMessageBuilder(NetlinkMessageType.Noop, 0).AttrString(1, "Unknown device type").ToArray()[16..];
        raw.AddRange(attr);
        var bytes = raw.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)bytes.Length);

        var m = NetlinkMessage.Split(bytes).Single();

        Assert.Equal((22, "Unknown device type"), m.ReadError());
    }

    [Fact]
    public void Split_LengthPastEnd_Throws()
    {
        var bytes = RtnlRequest.DelLink(1);
        bytes[0] = 200;
        Assert.Throws<InvalidDataException>(() => NetlinkMessage.Split(bytes));
    }

    [Fact]
    public void Builder_NestedAttributes_PatchLengthsAndPad()
    {
        var b = new NetlinkMessageBuilder(NetlinkMessageType.NewLink, NetlinkFlags.Request).IfInfo();
        int outer = b.BeginNested(18);
        b.AttrStringNoNul(1, "abcde"); // 4 + 5 = 9, padded to 12
        b.EndNested(outer);
        var m = NetlinkMessage.Split(b.ToArray()).Single();

        var attr = RtAttr.Parse(m.Payload[16..]).Single();
        Assert.Equal(18, attr.Type);
        Assert.Equal(12, attr.Payload.Length);
        Assert.Equal("abcde", attr.Nested().Single().AsString());
    }

    [Fact]
    public void InterfaceAddressParse_AddrAddRequest_ReadsLocalAndPrefix()
    {
        var m = NetlinkMessage.Split(Golden.Hex("netlink/addr-add.hex")).Single();
        Assert.Equal(new InterfaceAddress(2, IPAddress.Parse("10.211.0.1"), 24), InterfaceAddress.Parse(m.Payload));
    }
}
