namespace Islander.Drivers.Network;

/// <summary>What the kernel says about a network: whether the bridge is ready and which of the asked isles have their veth on it.</summary>
/// <param name="BridgeReady">The bridge exists, is up and carries the gateway address.</param>
/// <param name="AttachedIsles">Those of the probed isles whose host veth exists and is enslaved to the bridge.</param>
public sealed record NetworkProbe(bool BridgeExists, bool BridgeReady, IReadOnlyList<string> AttachedIsles);
