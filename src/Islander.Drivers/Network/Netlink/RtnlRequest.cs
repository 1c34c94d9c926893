using System.Net;

namespace Islander.Drivers.Network.Netlink;

/// <summary>
/// The rtnetlink requests islander sends, as bytes (seq 0; the socket stamps it). Pure, so the
/// exact bytes are unit-tested against what iproute2 sends (tests/.../testdata/netlink).
/// Each carries a short description naming the operation, used in errors.
/// </summary>
public static class RtnlRequest
{
    const NetlinkFlags CreateExcl = NetlinkFlags.Request | NetlinkFlags.Ack | NetlinkFlags.Excl | NetlinkFlags.Create;
    const NetlinkFlags Change = NetlinkFlags.Request | NetlinkFlags.Ack;

    /// <summary>Equivalent to: ip link add {name} type bridge.</summary>
    public static byte[] NewBridge(string name)
    {
        var b = new NetlinkMessageBuilder(NetlinkMessageType.NewLink, CreateExcl).IfInfo();
        b.AttrString((ushort)LinkAttr.IfName, CheckName(name));
        int info = b.BeginNested((ushort)LinkAttr.LinkInfo);
        b.AttrStringNoNul((ushort)LinkInfoAttr.Kind, "bridge");
        b.EndNested(info);
        return b.ToArray();
    }

    /// <summary>
    /// Equivalent to: ip link add {name} type veth peer name {peerName} [netns {peerNetnsFd}].
    /// With a netns fd the kernel creates the peer directly in that namespace (IFLA_NET_NS_FD inside
    /// VETH_INFO_PEER), so it never appears in the host's namespace.
    /// </summary>
    /// <para>With {masterIndex} the kernel enslaves {name} to that bridge as it creates it (IFLA_MASTER), and with
    /// {up} brings {name} up (its ifinfomsg's IFF_UP): ip link add {name} master BR up type veth peer name {peerName}
    /// netns N, one request where a set master and a set up took two more. The peer cannot be created up: the kernel
    /// configures it before the pair is joined, and a veth without its peer refuses to open (ENOTCONN).</para>
    public static byte[] NewVeth(string name, string peerName, int? peerNetnsFd = null, int? masterIndex = null, bool up = false)
    {
        var flags = up ? InterfaceFlags.Up : InterfaceFlags.None;
        var b = new NetlinkMessageBuilder(NetlinkMessageType.NewLink, CreateExcl).IfInfo(0, flags, flags);
        b.AttrString((ushort)LinkAttr.IfName, CheckName(name));
        if (masterIndex is int master)
            b.AttrU32((ushort)LinkAttr.Master, (uint)master);
        int info = b.BeginNested((ushort)LinkAttr.LinkInfo);
        b.AttrStringNoNul((ushort)LinkInfoAttr.Kind, "veth");
        int data = b.BeginNested((ushort)LinkInfoAttr.Data);
        int peer = b.BeginNested((ushort)VethInfoAttr.Peer);
        b.NestedIfInfo();
        if (peerNetnsFd is int fd)
            b.AttrU32((ushort)LinkAttr.NetNsFd, (uint)fd);
        b.AttrString((ushort)LinkAttr.IfName, CheckName(peerName));
        b.EndNested(peer);
        b.EndNested(data);
        b.EndNested(info);
        return b.ToArray();
    }

    /// <summary>Equivalent to: ip link set {index} master {masterIndex}.</summary>
    public static byte[] SetMaster(int index, int masterIndex) =>
        new NetlinkMessageBuilder(NetlinkMessageType.NewLink, Change).IfInfo(index)
            .AttrU32((ushort)LinkAttr.Master, (uint)masterIndex).ToArray();

    /// <summary>Equivalent to: ip link set {index} up (or down).</summary>
    public static byte[] SetUp(int index, bool up = true) =>
        new NetlinkMessageBuilder(NetlinkMessageType.NewLink, Change)
            .IfInfo(index, up ? InterfaceFlags.Up : InterfaceFlags.None, InterfaceFlags.Up).ToArray();

    /// <summary>Equivalent to: ip link set {index} name {name}. The link must be down.</summary>
    public static byte[] SetName(int index, string name) =>
        new NetlinkMessageBuilder(NetlinkMessageType.NewLink, Change).IfInfo(index)
            .AttrString((ushort)LinkAttr.IfName, CheckName(name)).ToArray();

    /// <summary>Equivalent to: ip link del {index}.</summary>
    public static byte[] DelLink(int index) =>
        new NetlinkMessageBuilder(NetlinkMessageType.DelLink, Change).IfInfo(index).ToArray();

    /// <summary>Equivalent to: ip link show {name} (one RTM_NEWLINK answer, or ENODEV).</summary>
    public static byte[] GetLink(string name) =>
        new NetlinkMessageBuilder(NetlinkMessageType.GetLink, NetlinkFlags.Request).IfInfo()
            .AttrString((ushort)LinkAttr.IfName, CheckName(name)).ToArray();

    /// <summary>Equivalent to: ip link show (a dump).</summary>
    public static byte[] DumpLinks() =>
        new NetlinkMessageBuilder(NetlinkMessageType.GetLink, NetlinkFlags.Request | NetlinkFlags.Dump).IfInfo().ToArray();

    /// <summary>Equivalent to: ip -4 addr show (a dump).</summary>
    public static byte[] DumpAddresses() =>
        new NetlinkMessageBuilder(NetlinkMessageType.GetAddr, NetlinkFlags.Request | NetlinkFlags.Dump)
            .IfAddr(RtnlFamily.Inet, 0, 0).ToArray();

    /// <summary>Equivalent to: ip addr add {address}/{prefixLength} dev {index}.</summary>
    public static byte[] NewAddress(int index, IPAddress address, int prefixLength)
    {
        var bytes = Ipv4Bytes(address);
        return new NetlinkMessageBuilder(NetlinkMessageType.NewAddr, CreateExcl)
            .IfAddr(RtnlFamily.Inet, checked((byte)prefixLength), index)
            .Attr((ushort)AddrAttr.Local, bytes)
            .Attr((ushort)AddrAttr.Address, bytes)
            .ToArray();
    }

    /// <summary>Equivalent to: ip addr del {address}/{prefixLength} dev {index}.</summary>
    public static byte[] DelAddress(int index, IPAddress address, int prefixLength)
    {
        var bytes = Ipv4Bytes(address);
        return new NetlinkMessageBuilder(NetlinkMessageType.DelAddr, Change)
            .IfAddr(RtnlFamily.Inet, checked((byte)prefixLength), index)
            .Attr((ushort)AddrAttr.Local, bytes)
            .Attr((ushort)AddrAttr.Address, bytes)
            .ToArray();
    }

    /// <summary>Equivalent to: ip route add default via {gateway} (main table, proto boot, scope universe).</summary>
    public static byte[] NewDefaultRoute(IPAddress gateway) =>
        new NetlinkMessageBuilder(NetlinkMessageType.NewRoute, CreateExcl)
            .Rt(RtnlFamily.Inet, dstLength: 0, table: 254 /* RT_TABLE_MAIN */, protocol: 3 /* RTPROT_BOOT */, scope: 0 /* RT_SCOPE_UNIVERSE */, type: 1 /* RTN_UNICAST */)
            .Attr((ushort)RouteAttr.Gateway, Ipv4Bytes(gateway))
            .ToArray();

    /// <summary>Interface names are at most IFNAMSIZ-1 = 15 bytes, without '/', ':' or whitespace.</summary>
    public static string CheckName(string name)
    {
        if (!IsValidName(name))
            throw new ArgumentException($"invalid interface name \"{name}\": 1-15 characters, no '/', ':' or whitespace", nameof(name));
        return name;
    }

    public static bool IsValidName(string name) =>
        name.Length is > 0 and <= 15 && name is not "." and not ".." &&
        !name.Any(c => c is '/' or ':' || char.IsWhiteSpace(c) || c > 127);

    static byte[] Ipv4Bytes(IPAddress address)
    {
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            throw new ArgumentException($"{address} is not an IPv4 address", nameof(address));
        return address.GetAddressBytes();
    }
}
