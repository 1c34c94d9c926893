using Islander.Model;

namespace Islander.Drivers.Network;

/// <summary>
/// The network drivers islanderd offers (every one of <see cref="NetworkDriverCatalog"/>), by the name a network's
/// <c>driver:</c> gives, as <see cref="Volumes.VolumeDriverSet"/> is for volumes: the controller picks a network's driver
/// here by the name its record keeps, so adding a driver is its class and its catalog line.
/// </summary>
public sealed class NetworkDriverSet
{
    readonly Dictionary<NetworkDriverKind, INetworkDriver> _drivers;

    public NetworkDriverSet(IEnumerable<INetworkDriver> drivers) => _drivers = drivers.ToDictionary(d => d.Kind);

    /// <summary>The drivers, by kind.</summary>
    public IReadOnlyDictionary<NetworkDriverKind, INetworkDriver> Drivers => _drivers;

    /// <summary>Makes every driver of <see cref="NetworkDriverCatalog"/> in <paramref name="host"/>, the namespace that holds the networks.</summary>
    public static NetworkDriverSet Open(NetworkNamespace host) => new(NetworkDriverCatalog.All.Select(r => r.Open(host)));

    /// <summary>The driver a network asks for; <see cref="ErrorCategory.Unsupported"/> when there is none of that name.</summary>
    public INetworkDriver For(NetworkDriverKind kind) =>
        _drivers.TryGetValue(kind, out var driver) ? driver : throw new NetworkException($"no {kind} network driver", ErrorCategory.Unsupported);

    /// <summary>
    /// The bridge driver, for what is not one network's yet: the firewall (one nftables table over every network, whose
    /// <see cref="Firewall.FirewallConfig"/> speaks of bridges) and reading an isle's addresses. A second driver with a
    /// firewall of its own would make <see cref="INetworkDriver.SyncFirewall"/> take its own networks only.
    /// </summary>
    public INetworkDriver Bridge => For(NetworkDriverKind.Bridge);
}
