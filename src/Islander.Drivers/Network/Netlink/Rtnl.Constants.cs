namespace Islander.Drivers.Network.Netlink;

// The kernel's uapi constants used by islander, from <linux/netlink.h>, <linux/rtnetlink.h>,
// <linux/if_link.h>, <linux/if_addr.h> and <linux/veth.h>. They are kept together in one file
// because they are one header's worth of numbers, not separate concepts.

/// <summary>nlmsg_type values: the netlink control messages and the rtnetlink requests islander sends.</summary>
public enum NetlinkMessageType : ushort
{
    Noop = 1,
    Error = 2,
    Done = 3,
    NewLink = 16,
    DelLink = 17,
    GetLink = 18,
    NewAddr = 20,
    DelAddr = 21,
    GetAddr = 22,
    NewRoute = 24,
    DelRoute = 25,
    GetRoute = 26,
}

/// <summary>nlmsg_flags (NLM_F_*). Request and "new" flags share bits, as in the kernel.</summary>
[Flags]
public enum NetlinkFlags : ushort
{
    None = 0,
    Request = 0x1,
    Multi = 0x2,
    Ack = 0x4,
    Echo = 0x8,
    Root = 0x100,
    Match = 0x200,
    Dump = Root | Match,
    Replace = 0x100,
    Excl = 0x200,
    Create = 0x400,
    Append = 0x800,
    /// <summary>On NLMSG_ERROR: the echoed request was cut to its header.</summary>
    Capped = 0x100,
    /// <summary>On NLMSG_ERROR: extended-ack TLVs follow.</summary>
    AckTlvs = 0x200,
}

/// <summary>IFLA_* attributes of an ifinfomsg.</summary>
public enum LinkAttr : ushort
{
    Address = 1,
    Broadcast = 2,
    IfName = 3,
    Mtu = 4,
    Link = 5,
    Master = 10,
    OperState = 16,
    LinkInfo = 18,
    NetNsPid = 19,
    NetNsFd = 28,
    LinkNetnsId = 37,
}

/// <summary>IFLA_INFO_* attributes nested in IFLA_LINKINFO.</summary>
public enum LinkInfoAttr : ushort
{
    Kind = 1,
    Data = 2,
    SlaveKind = 4,
}

/// <summary>VETH_INFO_* attributes nested in IFLA_INFO_DATA of a veth.</summary>
public enum VethInfoAttr : ushort
{
    Peer = 1,
}

/// <summary>IFA_* attributes of an ifaddrmsg.</summary>
public enum AddrAttr : ushort
{
    Address = 1,
    Local = 2,
    Label = 3,
    Broadcast = 4,
}

/// <summary>RTA_* attributes of an rtmsg.</summary>
public enum RouteAttr : ushort
{
    Dst = 1,
    Oif = 4,
    Gateway = 5,
    Table = 15,
}

/// <summary>Interface flags (IFF_* in <c>&lt;net/if.h&gt;</c>) carried in ifi_flags.</summary>
[Flags]
public enum InterfaceFlags : uint
{
    None = 0,
    Up = 0x1,
    Broadcast = 0x2,
    Loopback = 0x8,
    PointToPoint = 0x10,
    Running = 0x40,
    NoArp = 0x80,
    Promisc = 0x100,
    Multicast = 0x1000,
    LowerUp = 0x10000,
}

/// <summary>Address families used in rtnetlink headers.</summary>
public enum RtnlFamily : byte
{
    Unspec = 0,
    Inet = 2,
    Bridge = 7,
    Inet6 = 10,
}
