using Islander.Model;
using Islander.Drivers.Network.Firewall;

namespace Islander.Drivers.Network;

/// <summary>
/// Bridge networks for isles: links, addresses, routes and the firewall. Every method is
/// idempotent: calling it again with the same arguments after success, or after a crash half-way,
/// converges to the same kernel state without error. Names are deterministic
/// (<see cref="NetworkNames"/>), so a rerun finds its own leftovers. Errors are
/// <see cref="Model.IslanderException"/>s (<see cref="NetworkException"/>,
/// <see cref="Netlink.NetlinkException"/>) whose category tells retry from terminal. Every method takes a
/// <see cref="CancellationToken"/> and checks it between netlink requests (never half-way through one): a cancelled
/// call throws <see cref="OperationCanceledException"/>, leaving what a crash there would, which the next call mends.
/// </summary>
public interface INetworkDriver
{
    /// <summary>The name networks give in <c>driver:</c>; the one its <see cref="NetworkDriverRegistration"/> has.</summary>
    NetworkDriverKind Kind { get; }

    /// <summary>
    /// Makes the network's bridge exist, carry the gateway address (subnet prefix) and be up; turns
    /// on net.ipv4.ip_forward for masquerade networks. Does not touch the firewall: call
    /// <see cref="SyncFirewall"/> with the full set of networks afterwards.
    /// </summary>
    void EnsureNetwork(BridgeNetworkConfig network, CancellationToken cancellationToken);

    /// <summary>
    /// Connects an isle: a veth whose host end (<see cref="NetworkNames.HostVeth"/>) is enslaved to
    /// the bridge and up, and whose other end is created directly in the isle's namespace under
    /// {endpoint.IfName}, given {endpoint.Ip} with the subnet's prefix and brought up, with a
    /// default route via the gateway when {endpoint.DefaultRoute} and the network is not internal.
    /// Brings lo up too. If a previous attachment of the same isle is found incomplete or pointing
    /// elsewhere, it is removed and made again. The network must exist (<see cref="EnsureNetwork"/>).
    /// </summary>
    void Attach(BridgeNetworkConfig network, IsleEndpoint endpoint, CancellationToken cancellationToken);

    /// <summary>
    /// Removes the isle's veth (deleting one end deletes both). A no-op when it is already gone,
    /// which is the case once the isle's namespace is destroyed.
    /// </summary>
    void Detach(BridgeNetworkConfig network, string isle, CancellationToken cancellationToken);

    /// <summary>Deletes the bridge and any islander veth still enslaved to it. A no-op when gone.</summary>
    void DeleteNetwork(BridgeNetworkConfig network, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces islander's whole nftables table with one expressing {config} (isolation, internal
    /// networks, masquerade, published ports), atomically; an empty config removes the table. A config the same as the
    /// one last applied is not applied again while the kernel says no firewall change happened since (cheap to call
    /// after every start); any change by anyone, a table removed by hand included, makes the next call apply it.
    /// </summary>
    void SyncFirewall(FirewallConfig config, CancellationToken cancellationToken);

    /// <summary>
    /// As <see cref="SyncFirewall"/>, but a config the same as the one last applied makes no kernel call at all: for an
    /// isle's start, stop or delete, which changes the config only when the isle publishes ports. A change by someone
    /// else is found by the next <see cref="SyncFirewall"/> (every network pass, at every resync).
    /// </summary>
    void SyncFirewallIfChanged(FirewallConfig config, CancellationToken cancellationToken);

    /// <summary>Brings lo up in {netns}: an isle without networks still needs its loopback.</summary>
    void BringUpLoopback(NetworkNamespace netns, CancellationToken cancellationToken);

    /// <summary>Reads the kernel's view of {network} and of the given isles' attachments to it.</summary>
    NetworkProbe Probe(BridgeNetworkConfig network, IEnumerable<string> isles, CancellationToken cancellationToken);

    /// <summary>
    /// The IPv4 addresses on the links of {netns} (RTM_GETADDR there), loopback's left out: what an isle really has,
    /// whatever the daemon's records say. <see cref="Netlink.NetlinkException"/> or <see cref="NetworkException"/>
    /// (NotFound) when the namespace is gone.
    /// </summary>
    IReadOnlyList<System.Net.IPAddress> Addresses(NetworkNamespace netns, CancellationToken cancellationToken);
}
