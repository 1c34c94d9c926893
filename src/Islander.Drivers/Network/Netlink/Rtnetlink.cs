using Islander.Drivers.Interop;
using System.Net;

namespace Islander.Drivers.Network.Netlink;

/// <summary>
/// Link, address and route operations over one NETLINK_ROUTE socket, in the namespace the socket
/// was opened in. Each method names its iproute2 equivalent. Errors are <see cref="NetlinkException"/>.
/// Not thread-safe.
/// </summary>
public sealed class Rtnetlink : IDisposable
{
    readonly RtnlSocket _socket;

    Rtnetlink(RtnlSocket socket, NetworkNamespace ns)
    {
        _socket = socket;
        Namespace = ns;
    }

    public NetworkNamespace Namespace { get; }

    /// <summary>A socket in {ns}; created on a thread inside it, then usable from any thread.</summary>
    public static Rtnetlink Open(NetworkNamespace ns) => new(ns.Run(RtnlSocket.Open), ns);

    /// <summary>Equivalent to: ip link add {name} type bridge.</summary>
    public void CreateBridge(string name) =>
        _socket.Execute(RtnlRequest.NewBridge(name), $"RTM_NEWLINK (ip link add {name} type bridge)");

    /// <summary>
    /// Equivalent to: ip link add {name} master {masterIndex} [up] type veth peer name {peerName} netns {peerNs}. One
    /// request: the peer made in {peerNs} under its final name (down), {name} enslaved (and up).
    /// </summary>
    public void CreateVeth(string name, string peerName, NetworkNamespace peerNs, int masterIndex, bool up)
    {
        using var fd = peerNs.Open();
        _socket.Execute(RtnlRequest.NewVeth(name, peerName, fd.Fd, masterIndex, up),
            $"RTM_NEWLINK (ip link add {name} master {masterIndex}{(up ? " up" : "")} type veth peer name {peerName} netns {peerNs})");
    }

    /// <summary>Requests sent together, their ACKs read together (<see cref="RtnlSocket.ExecuteAll"/>).</summary>
    public void ExecuteAll(IReadOnlyList<(byte[] Request, string Op, Func<NetlinkException, bool>? Ignore)> requests) => _socket.ExecuteAll(requests);

    /// <summary>Equivalent to: ip link set {name} up.</summary>
    public void SetUp(string name)
    {
        var link = RequireLink(name);
        _socket.Execute(RtnlRequest.SetUp(link.Index), $"RTM_NEWLINK (ip link set {name} up)");
    }

    /// <summary>Equivalent to: ip addr add {address}/{prefixLength} dev {name}. False when it was already there.</summary>
    public bool AddAddress(string name, IPAddress address, int prefixLength)
    {
        var link = RequireLink(name);
        try
        {
            _socket.Execute(RtnlRequest.NewAddress(link.Index, address, prefixLength), $"RTM_NEWADDR (ip addr add {address}/{prefixLength} dev {name})");
            return true;
        }
        catch (NetlinkException e) when (e.IsAlreadyExists)
        {
            return false;
        }
    }

    /// <summary>Equivalent to: ip addr del {address}/{prefixLength} dev {name}. False when it was not there.</summary>
    public bool DeleteAddress(string name, IPAddress address, int prefixLength)
    {
        var link = RequireLink(name);
        try
        {
            _socket.Execute(RtnlRequest.DelAddress(link.Index, address, prefixLength), $"RTM_DELADDR (ip addr del {address}/{prefixLength} dev {name})");
            return true;
        }
        catch (NetlinkException e) when (e.IsNotFound)
        {
            return false;
        }
    }

    /// <summary>Equivalent to: ip link del {name}. False when there was no such link.</summary>
    public bool DeleteLink(string name)
    {
        var link = GetLink(name);
        if (link is null)
            return false;
        try
        {
            _socket.Execute(RtnlRequest.DelLink(link.Index), $"RTM_DELLINK (ip link del {name})");
            return true;
        }
        catch (NetlinkException e) when (e.IsNotFound)
        {
            return false; // deleted meanwhile, e.g. a veth whose peer's namespace just went away
        }
    }

    /// <summary>Equivalent to: ip link show {name}. Null when there is no such link.</summary>
    public NetworkLink? GetLink(string name)
    {
        try
        {
            var answers = _socket.Query(RtnlRequest.GetLink(name), $"RTM_GETLINK (ip link show {name})");
            return answers.Count == 0 ? null : NetworkLink.Parse(answers[0].Payload);
        }
        catch (NetlinkException e) when (e.IsNotFound)
        {
            return null;
        }
    }

    /// <summary>Equivalent to: ip link show.</summary>
    public List<NetworkLink> ListLinks() =>
        _socket.Query(RtnlRequest.DumpLinks(), "RTM_GETLINK (ip link show)")
            .Where(m => m.Type == NetlinkMessageType.NewLink)
            .Select(m => NetworkLink.Parse(m.Payload))
            .ToList();

    /// <summary>Equivalent to: ip -4 addr show [dev {name}].</summary>
    public List<InterfaceAddress> ListAddresses(string? name = null)
    {
        int? index = name is null ? null : RequireLink(name).Index;
        return _socket.Query(RtnlRequest.DumpAddresses(), "RTM_GETADDR (ip -4 addr show)")
            .Where(m => m.Type == NetlinkMessageType.NewAddr)
            .Select(m => InterfaceAddress.Parse(m.Payload))
            .OfType<InterfaceAddress>()
            .Where(a => index is null || a.Index == index)
            .ToList();
    }

    NetworkLink RequireLink(string name) =>
        GetLink(name) ?? throw new NetlinkException($"RTM_GETLINK (ip link show {name})", Errno.ENODEV, $"no link named {name} in {Namespace}");

    public void Dispose() => _socket.Dispose();
}
