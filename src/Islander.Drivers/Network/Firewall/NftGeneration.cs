using System.Buffers.Binary;
using Islander.Drivers.Interop;
using Islander.Drivers.Network.Netlink;

namespace Islander.Drivers.Network.Firewall;

/// <summary>
/// The nftables ruleset's generation in the calling thread's network namespace: NFT_MSG_GETGEN on a NETLINK_NETFILTER
/// socket, answered by NFT_MSG_NEWGEN with NFTA_GEN_ID. The kernel adds one at every committed nftables transaction of
/// the namespace, whoever commits it (net/netfilter/nf_tables_api.c, nft_net->base_seq), so a generation unchanged
/// since islander's last apply means nobody changed any table since, its own included. One netlink round trip, where
/// reading the table back is an <c>nft list</c> process. (nft prints the id with <c>nft monitor</c>, as "# new generation N".)
/// </summary>
public static class NftGeneration
{
    const ushort SubsysNftables = 10;  // NFNL_SUBSYS_NFTABLES
    const ushort MsgNewGen = 15;       // NFT_MSG_NEWGEN
    const ushort MsgGetGen = 16;       // NFT_MSG_GETGEN
    const ushort AttrGenId = 1;        // NFTA_GEN_ID, a big-endian u32

    /// <summary>The request: nlmsghdr (NLM_F_REQUEST) and an nfgenmsg of family AF_UNSPEC, version NFNETLINK_V0.</summary>
    public static byte[] Request()
    {
        var m = new byte[NetlinkMessageBuilder.HeaderLength + 4];
        BinaryPrimitives.WriteUInt32LittleEndian(m, (uint)m.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(m.AsSpan(4), (ushort)(SubsysNftables << 8 | MsgGetGen));
        BinaryPrimitives.WriteUInt16LittleEndian(m.AsSpan(6), (ushort)NetlinkFlags.Request);
        return m; // sequence set by the socket; the nfgenmsg is all zero
    }

    /// <summary>The generation in an NFT_MSG_NEWGEN answer; null when the message is not one or lacks the id.</summary>
    public static uint? Parse(NetlinkMessage answer)
    {
        if ((ushort)answer.Type != (SubsysNftables << 8 | MsgNewGen) || answer.Payload.Length < 4)
            return null;
        foreach (var a in RtAttr.Parse(answer.Payload[4..]))
            if ((a.Type & 0x3fff) == AttrGenId && a.Payload.Length >= 4)
                return BinaryPrimitives.ReadUInt32BigEndian(a.Payload.Span);
        return null;
    }

    /// <summary>Reads the generation of the calling thread's namespace. Throws <see cref="NetlinkException"/>.</summary>
    public static uint? Read()
    {
        using var socket = RtnlSocket.Open(NetlinkInterop.NETLINK_NETFILTER);
        return socket.Query(Request(), "NFT_MSG_GETGEN (the nftables ruleset's generation)").Select(Parse).FirstOrDefault(g => g is not null);
    }
}
