using System.Buffers.Binary;
using System.Text;

namespace Islander.Drivers.Network.Netlink;

/// <summary>
/// Writes one netlink message: the 16-byte nlmsghdr, a fixed family header (ifinfomsg, ifaddrmsg,
/// rtmsg), then rtattrs, each padded to 4 bytes (NLMSG_ALIGN / RTA_ALIGN). Nested attributes are
/// opened with <see cref="BeginNested"/> and closed with <see cref="EndNested"/>, which patches the
/// length, like iproute2's addattr_nest/addattr_nest_end (and, like them, without NLA_F_NESTED).
/// Host byte order is little-endian on every platform .NET runs Linux on; the encoder says so explicitly.
/// </summary>
public sealed class NetlinkMessageBuilder
{
    /// <summary>sizeof(struct nlmsghdr).</summary>
    public const int HeaderLength = 16;

    byte[] _buffer = new byte[256];
    int _length;

    public NetlinkMessageBuilder(NetlinkMessageType type, NetlinkFlags flags)
    {
        _length = HeaderLength;
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(4), (ushort)type);
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(6), (ushort)flags);
    }

    public NetlinkMessageType Type => (NetlinkMessageType)BinaryPrimitives.ReadUInt16LittleEndian(_buffer.AsSpan(4));

    /// <summary>struct ifinfomsg { u8 family; u8 pad; u16 type; s32 index; u32 flags; u32 change; }.</summary>
    public NetlinkMessageBuilder IfInfo(int index = 0, InterfaceFlags flags = 0, InterfaceFlags change = 0, RtnlFamily family = RtnlFamily.Unspec)
    {
        WriteIfInfo(Reserve(16), family, index, flags, change);
        return this;
    }

    /// <summary>struct ifaddrmsg { u8 family; u8 prefixlen; u8 flags; u8 scope; u32 index; }.</summary>
    public NetlinkMessageBuilder IfAddr(RtnlFamily family, byte prefixLength, int index, byte scope = 0)
    {
        var s = Reserve(8);
        s[0] = (byte)family;
        s[1] = prefixLength;
        s[2] = 0;
        s[3] = scope;
        BinaryPrimitives.WriteInt32LittleEndian(s[4..], index);
        return this;
    }

    /// <summary>struct rtmsg { u8 family, dst_len, src_len, tos, table, protocol, scope, type; u32 flags; }.</summary>
    public NetlinkMessageBuilder Rt(RtnlFamily family, byte dstLength, byte table, byte protocol, byte scope, byte type)
    {
        var s = Reserve(12);
        s[0] = (byte)family;
        s[1] = dstLength;
        s[2] = 0;
        s[3] = 0;
        s[4] = table;
        s[5] = protocol;
        s[6] = scope;
        s[7] = type;
        BinaryPrimitives.WriteUInt32LittleEndian(s[8..], 0);
        return this;
    }

    /// <summary>An rtattr with a raw payload.</summary>
    public NetlinkMessageBuilder Attr(ushort type, ReadOnlySpan<byte> payload)
    {
        int total = 4 + payload.Length;
        var s = Reserve(Align(total));
        BinaryPrimitives.WriteUInt16LittleEndian(s, (ushort)total);
        BinaryPrimitives.WriteUInt16LittleEndian(s[2..], type);
        payload.CopyTo(s[4..]);
        return this;
    }

    public NetlinkMessageBuilder AttrU32(ushort type, uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        return Attr(type, b);
    }

    /// <summary>A NUL-terminated string, as iproute2's addattr_l(..., strlen(s) + 1).</summary>
    public NetlinkMessageBuilder AttrString(ushort type, string value)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(value) + 1];
        Encoding.UTF8.GetBytes(value, bytes);
        return Attr(type, bytes);
    }

    /// <summary>A string without the terminating NUL (IFLA_INFO_KIND, as iproute2 writes it).</summary>
    public NetlinkMessageBuilder AttrStringNoNul(ushort type, string value) => Attr(type, Encoding.UTF8.GetBytes(value));

    /// <summary>Opens a nested attribute; returns its offset for <see cref="EndNested"/>.</summary>
    public int BeginNested(ushort type)
    {
        int at = _length;
        var s = Reserve(4);
        BinaryPrimitives.WriteUInt16LittleEndian(s[2..], type);
        return at;
    }

    public NetlinkMessageBuilder EndNested(int at)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(at), (ushort)(_length - at));
        return this;
    }

    /// <summary>
    /// A bare ifinfomsg inside an attribute (VETH_INFO_PEER carries one before its own attributes).
    /// </summary>
    public NetlinkMessageBuilder NestedIfInfo(int index = 0, InterfaceFlags flags = 0, InterfaceFlags change = 0)
    {
        WriteIfInfo(Reserve(16), RtnlFamily.Unspec, index, flags, change);
        return this;
    }

    /// <summary>The finished message with nlmsg_len filled in; seq and pid are 0 (the socket stamps seq).</summary>
    public byte[] ToArray()
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer, (uint)_length);
        return _buffer.AsSpan(0, _length).ToArray();
    }

    /// <summary>Writes nlmsg_seq into a finished message.</summary>
    public static void SetSequence(Span<byte> message, uint seq) =>
        BinaryPrimitives.WriteUInt32LittleEndian(message[8..], seq);

    public static int Align(int length) => (length + 3) & ~3;

    static void WriteIfInfo(Span<byte> s, RtnlFamily family, int index, InterfaceFlags flags, InterfaceFlags change)
    {
        s[0] = (byte)family;
        s[1] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(s[2..], 0);
        BinaryPrimitives.WriteInt32LittleEndian(s[4..], index);
        BinaryPrimitives.WriteUInt32LittleEndian(s[8..], (uint)flags);
        BinaryPrimitives.WriteUInt32LittleEndian(s[12..], (uint)change);
    }

    Span<byte> Reserve(int n)
    {
        if (_length + n > _buffer.Length)
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + n));
        var s = _buffer.AsSpan(_length, n);
        s.Clear();
        _length += n;
        return s;
    }
}
