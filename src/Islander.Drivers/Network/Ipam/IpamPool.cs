using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Islander.Model;

namespace Islander.Drivers.Network.Ipam;

/// <summary>
/// The addresses of one network's subnet and who holds them. Immutable plain data: every change
/// returns a new pool, which the caller persists (the controller keeps it in LiteDB), so a daemon
/// restart reloads exactly what was given out. The network address, the gateway and the broadcast
/// address are never given out. Dynamic allocation takes the lowest free address, so the same
/// sequence of requests always yields the same addresses.
/// </summary>
public sealed record IpamPool
{
    IpamPool(string network, IPNetwork subnet, IPAddress gateway, IReadOnlyDictionary<string, IPAddress> allocations)
    {
        Network = network;
        Subnet = subnet;
        Gateway = gateway;
        Allocations = allocations;
    }

    public string Network { get; }
    public IPNetwork Subnet { get; }
    public IPAddress Gateway { get; }

    /// <summary>Owner (isle name) → address, sorted by owner.</summary>
    public IReadOnlyDictionary<string, IPAddress> Allocations { get; }

    /// <summary>
    /// A pool for {subnet} (IPv4, /8 to /30) with {gateway} inside it, holding {allocations}
    /// (e.g. as loaded from the state store). Throws <see cref="IpamException"/> (InvalidManifest)
    /// for a bad subnet or gateway, and (Conflict) when two owners hold one address.
    /// </summary>
    public static IpamPool Create(string network, IPNetwork subnet, IPAddress gateway, IReadOnlyDictionary<string, IPAddress>? allocations = null)
    {
        if (subnet.BaseAddress.AddressFamily != AddressFamily.InterNetwork)
            throw Invalid($"network {network}: subnet {subnet} is not IPv4");
        if (subnet.PrefixLength is < 8 or > 30)
            throw Invalid($"network {network}: subnet {subnet} must be between /8 and /30 to hold a gateway and an isle");
        var pool = new IpamPool(network, subnet, gateway, new SortedDictionary<string, IPAddress>(StringComparer.Ordinal));
        pool.CheckUsable(gateway, "gateway");
        var copy = new SortedDictionary<string, IPAddress>(StringComparer.Ordinal);
        foreach (var (owner, ip) in allocations ?? new Dictionary<string, IPAddress>())
        {
            pool.CheckUsable(ip, $"address of {owner}");
            if (ip.Equals(gateway))
                throw Invalid($"network {network}: address of {owner} {ip} is the gateway");
            if (copy.FirstOrDefault(kv => kv.Value.Equals(ip)).Key is string other)
                throw new IpamException($"network {network}: {ip} is held by both {other} and {owner}", ErrorCategory.Conflict);
            copy[owner] = ip;
        }
        return new IpamPool(network, subnet, gateway, copy);
    }

    /// <summary>
    /// Gives {owner} an address: {requested} when set (a static ip), else the owner's current one,
    /// else the lowest free one. Idempotent: asking again returns the same address and pool.
    /// A new static request for an owner that holds another address moves it.
    /// Throws <see cref="IpamException"/>: InvalidManifest for an address outside the subnet or
    /// reserved, Conflict for one held by another owner or when the subnet is full.
    /// </summary>
    public (IpamPool Pool, IPAddress Address) Allocate(string owner, IPAddress? requested = null)
    {
        Allocations.TryGetValue(owner, out var current);
        if (requested is null && current is not null)
            return (this, current);
        if (requested is not null)
        {
            if (requested.Equals(current))
                return (this, current);
            CheckUsable(requested, $"address {requested} for {owner}");
            if (requested.Equals(Gateway))
                throw Invalid($"network {Network}: {requested} for {owner} is the gateway");
            if (HolderOf(requested) is string holder)
                throw new IpamException($"network {Network}: {requested} for {owner} is already allocated to {holder}", ErrorCategory.Conflict);
            return (With(owner, requested), requested);
        }
        uint first = ToUInt(Subnet.BaseAddress) + 1, last = Broadcast - 1;
        var taken = Allocations.Values.Select(ToUInt).Append(ToUInt(Gateway)).ToHashSet();
        for (uint a = first; a <= last; a++)
            if (!taken.Contains(a))
            {
                var ip = FromUInt(a);
                return (With(owner, ip), ip);
            }
        throw new IpamException($"network {Network}: no free address left in {Subnet} for {owner}", ErrorCategory.Conflict);
    }

    /// <summary>Frees {owner}'s address. Idempotent: releasing an owner without one returns this pool.</summary>
    public IpamPool Release(string owner)
    {
        if (!Allocations.ContainsKey(owner))
            return this;
        var copy = new SortedDictionary<string, IPAddress>((IDictionary<string, IPAddress>)Allocations, StringComparer.Ordinal);
        copy.Remove(owner);
        return new IpamPool(Network, Subnet, Gateway, copy);
    }

    /// <summary>The owner holding {address}, or null.</summary>
    public string? HolderOf(IPAddress address) => Allocations.FirstOrDefault(kv => kv.Value.Equals(address)).Key;

    uint Broadcast => ToUInt(Subnet.BaseAddress) | (uint)((1L << (32 - Subnet.PrefixLength)) - 1);

    IpamPool With(string owner, IPAddress ip)
    {
        var copy = new SortedDictionary<string, IPAddress>((IDictionary<string, IPAddress>)Allocations, StringComparer.Ordinal)
        {
            [owner] = ip,
        };
        return new IpamPool(Network, Subnet, Gateway, copy);
    }

    void CheckUsable(IPAddress ip, string what)
    {
        if (ip.AddressFamily != AddressFamily.InterNetwork || !Subnet.Contains(ip))
            throw Invalid($"network {Network}: {what} {ip} is outside the subnet {Subnet}");
        uint a = ToUInt(ip);
        if (a == ToUInt(Subnet.BaseAddress))
            throw Invalid($"network {Network}: {what} {ip} is the subnet's network address");
        if (a == Broadcast)
            throw Invalid($"network {Network}: {what} {ip} is the subnet's broadcast address");
    }

    static IpamException Invalid(string message) => new(message, ErrorCategory.InvalidManifest);

    static uint ToUInt(IPAddress ip) => BinaryPrimitives.ReadUInt32BigEndian(ip.GetAddressBytes());

    static IPAddress FromUInt(uint a)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, a);
        return new IPAddress(b);
    }

    public bool Equals(IpamPool? other) =>
        other is not null && Network == other.Network && Subnet.Equals(other.Subnet) && Gateway.Equals(other.Gateway) &&
        Allocations.Count == other.Allocations.Count &&
        Allocations.All(kv => other.Allocations.TryGetValue(kv.Key, out var v) && v.Equals(kv.Value));

    public override int GetHashCode() => HashCode.Combine(Network, Subnet, Gateway, Allocations.Count);
}
