using Islander.Model;

namespace Islander.Drivers.Network;

/// <summary>
/// One network driver as it registers itself in <see cref="NetworkDriverCatalog"/> (containerd's
/// <c>plugin.Registration</c>): the name a network's <c>driver:</c> gives, and how to make it in the namespace that
/// holds the networks.
/// </summary>
public sealed record NetworkDriverRegistration(NetworkDriverKind Kind, Func<NetworkNamespace, INetworkDriver> Open);
