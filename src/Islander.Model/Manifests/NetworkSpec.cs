using System.Net;

namespace Islander.Model;

/// <summary>
/// The desired shape of a network (spec of a <c>kind: Network</c> manifest). All members are values, so
/// two specs compare equal exactly when they describe the same network.
/// </summary>
public sealed record NetworkSpec
{
    /// <summary>The network driver that makes it (<c>bridge</c>, the default). Changing it is like renumbering: it waits until no isle uses the network.</summary>
    public NetworkDriverKind Driver { get; init; } = NetworkDriverKind.Bridge;

    /// <summary>The network's IPv4 or IPv6 subnet, canonical (no host bits). Null: the IPAM driver picks a free one.</summary>
    public IPNetwork? Subnet { get; init; }

    /// <summary>The bridge's address, inside <see cref="Subnet"/>. Null: the first host address of the subnet.</summary>
    public IPAddress? Gateway { get; init; }

    /// <summary>
    /// Source-NAT traffic that leaves the host (Docker's default for bridge networks). Defaults to true, and to false
    /// on an <see cref="Internal"/> network.
    /// </summary>
    public bool Masquerade { get; init; } = true;

    /// <summary>No route out of the host: isles talk only to each other (Docker's <c>--internal</c>).</summary>
    public bool Internal { get; init; }
}
