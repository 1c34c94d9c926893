using System.Net;

namespace Islander.Drivers.Network.Netlink;

/// <summary>An IPv4 address on a link, as RTM_NEWADDR describes it (what <c>ip -4 addr show</c> prints).</summary>
public sealed record InterfaceAddress(int Index, IPAddress Address, int PrefixLength)
{
    /// <summary>Decodes an RTM_NEWADDR payload (ifaddrmsg + attributes); IFA_LOCAL wins over IFA_ADDRESS.</summary>
    public static InterfaceAddress? Parse(ReadOnlyMemory<byte> payload)
    {
        var s = payload.Span;
        if (s.Length < 8 || s[0] != (byte)RtnlFamily.Inet)
            return null;
        int prefix = s[1];
        int index = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(s[4..]);
        IPAddress? local = null, address = null;
        foreach (var a in RtAttr.Parse(payload[8..]))
        {
            if ((AddrAttr)a.Type == AddrAttr.Local) local = a.AsIPAddress();
            else if ((AddrAttr)a.Type == AddrAttr.Address) address = a.AsIPAddress();
        }
        var ip = local ?? address;
        return ip is null ? null : new InterfaceAddress(index, ip, prefix);
    }
}
