using Islander.Model;

namespace Islander.Drivers.Network.Ipam;

/// <summary>An address that cannot be given: outside the subnet, reserved, taken, or none left.</summary>
public sealed class IpamException(string message, ErrorCategory category) : IslanderException(message, category);
