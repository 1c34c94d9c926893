using System.Buffers.Binary;

namespace Islander.Drivers.Network.Netlink;

/// <summary>One received netlink message: the nlmsghdr fields and the payload after the header.</summary>
public readonly record struct NetlinkMessage(NetlinkMessageType Type, NetlinkFlags Flags, uint Sequence, uint PortId, ReadOnlyMemory<byte> Payload)
{
    /// <summary>
    /// Splits one datagram into its messages (NLMSG_OK / NLMSG_NEXT). Throws on a truncated or
    /// malformed header rather than reading past it.
    /// </summary>
    public static List<NetlinkMessage> Split(ReadOnlyMemory<byte> datagram)
    {
        var list = new List<NetlinkMessage>();
        int offset = 0;
        var span = datagram.Span;
        while (span.Length - offset >= NetlinkMessageBuilder.HeaderLength)
        {
            uint len = BinaryPrimitives.ReadUInt32LittleEndian(span[offset..]);
            if (len < NetlinkMessageBuilder.HeaderLength || len > span.Length - offset)
                throw new InvalidDataException($"netlink: message length {len} at offset {offset} does not fit the {span.Length}-byte datagram");
            list.Add(new NetlinkMessage(
                (NetlinkMessageType)BinaryPrimitives.ReadUInt16LittleEndian(span[(offset + 4)..]),
                (NetlinkFlags)BinaryPrimitives.ReadUInt16LittleEndian(span[(offset + 6)..]),
                BinaryPrimitives.ReadUInt32LittleEndian(span[(offset + 8)..]),
                BinaryPrimitives.ReadUInt32LittleEndian(span[(offset + 12)..]),
                datagram.Slice(offset + NetlinkMessageBuilder.HeaderLength, (int)len - NetlinkMessageBuilder.HeaderLength)));
            offset += NetlinkMessageBuilder.Align((int)len);
        }
        return list;
    }

    /// <summary>
    /// For NLMSG_ERROR: the (positive) errno, 0 for an ACK, and the kernel's extended-ack text
    /// (NLMSGERR_ATTR_MSG) when there is one.
    /// </summary>
    public (int Errno, string? Message) ReadError()
    {
        var s = Payload.Span;
        if (s.Length < 4)
            throw new InvalidDataException("netlink: NLMSG_ERROR shorter than its error code");
        int error = -BinaryPrimitives.ReadInt32LittleEndian(s);
        string? text = null;
        if ((Flags & NetlinkFlags.AckTlvs) != 0 && s.Length >= 4 + NetlinkMessageBuilder.HeaderLength)
        {
            // The echoed request: its header only when capped, else the whole message.
            int echoed = (Flags & NetlinkFlags.Capped) != 0
                ? NetlinkMessageBuilder.HeaderLength
                : (int)BinaryPrimitives.ReadUInt32LittleEndian(s[4..]);
            int tlvStart = 4 + NetlinkMessageBuilder.Align(echoed);
            if (tlvStart <= s.Length)
                foreach (var a in RtAttr.Parse(Payload[tlvStart..]))
                    if (a.Type == 1 /* NLMSGERR_ATTR_MSG */)
                        text = a.AsString();
        }
        return (error, text);
    }
}
