using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Islander.Drivers.Network.Netlink;

/// <summary>One decoded rtattr: its type (NLA_F_NESTED and NLA_F_NET_BYTEORDER masked off) and payload.</summary>
public readonly record struct RtAttr(ushort Type, ReadOnlyMemory<byte> Payload)
{
    const ushort TypeMask = 0x3fff;

    /// <summary>Parses a run of attributes (RTA_OK / RTA_NEXT), stopping at the first malformed one.</summary>
    public static List<RtAttr> Parse(ReadOnlyMemory<byte> data)
    {
        var list = new List<RtAttr>();
        int offset = 0;
        var s = data.Span;
        while (s.Length - offset >= 4)
        {
            ushort len = BinaryPrimitives.ReadUInt16LittleEndian(s[offset..]);
            ushort type = BinaryPrimitives.ReadUInt16LittleEndian(s[(offset + 2)..]);
            if (len < 4 || len > s.Length - offset)
                break;
            list.Add(new RtAttr((ushort)(type & TypeMask), data.Slice(offset + 4, len - 4)));
            offset += NetlinkMessageBuilder.Align(len);
        }
        return list;
    }

    public uint AsUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Payload.Span);

    public int AsInt32() => BinaryPrimitives.ReadInt32LittleEndian(Payload.Span);

    /// <summary>A string attribute, with or without its terminating NUL.</summary>
    public string AsString()
    {
        var s = Payload.Span;
        int nul = s.IndexOf((byte)0);
        return Encoding.UTF8.GetString(nul >= 0 ? s[..nul] : s);
    }

    public IPAddress AsIPAddress() => new(Payload.Span);

    public List<RtAttr> Nested() => Parse(Payload);
}
