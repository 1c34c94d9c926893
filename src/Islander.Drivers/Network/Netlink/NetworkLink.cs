namespace Islander.Drivers.Network.Netlink;

/// <summary>A link as RTM_NEWLINK describes it (what <c>ip -d link show</c> prints).</summary>
/// <param name="MasterIndex">IFLA_MASTER: the bridge this link is enslaved to, if any.</param>
/// <param name="Kind">IFLA_INFO_KIND: "bridge", "veth", ...; null for physical devices and lo.</param>
/// <param name="PeerIndex">IFLA_LINK: for a veth, the peer's index (in the peer's namespace).</param>
/// <param name="PeerNetnsId">IFLA_LINK_NETNSID: set when the veth's peer lives in another namespace.</param>
public sealed record NetworkLink(int Index, string Name, InterfaceFlags Flags, int? MasterIndex, string? Kind, int? PeerIndex, int? PeerNetnsId, int Mtu)
{
    public bool IsUp => (Flags & InterfaceFlags.Up) != 0;

    /// <summary>Decodes an RTM_NEWLINK payload (ifinfomsg + attributes).</summary>
    public static NetworkLink Parse(ReadOnlyMemory<byte> payload)
    {
        var s = payload.Span;
        if (s.Length < 16)
            throw new InvalidDataException("netlink: RTM_NEWLINK shorter than ifinfomsg");
        int index = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(s[4..]);
        var flags = (InterfaceFlags)System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(s[8..]);
        string name = "";
        int? master = null, peer = null, netnsId = null;
        string? kind = null;
        int mtu = 0;
        foreach (var a in RtAttr.Parse(payload[16..]))
        {
            switch ((LinkAttr)a.Type)
            {
                case LinkAttr.IfName: name = a.AsString(); break;
                case LinkAttr.Master: master = a.AsInt32(); break;
                case LinkAttr.Link: peer = a.AsInt32(); break;
                case LinkAttr.LinkNetnsId: netnsId = a.AsInt32(); break;
                case LinkAttr.Mtu: mtu = a.AsInt32(); break;
                case LinkAttr.LinkInfo:
                    foreach (var i in a.Nested())
                        if ((LinkInfoAttr)i.Type == LinkInfoAttr.Kind)
                            kind = i.AsString();
                    break;
            }
        }
        return new NetworkLink(index, name, flags, master, kind, peer, netnsId, mtu);
    }
}
