namespace Islander.Drivers.Cgroups;

/// <summary>The device rules of a <see cref="DevicePolicy"/>: what both the v1 and the v2 driver enforce.</summary>
public static class DeviceRules
{
    /// <summary>
    /// Docker's default device rules (moby oci/defaults.go, runc's AllowedDevices): mknod anything, use only
    /// the harmless character devices.
    /// </summary>
    public static readonly IReadOnlyList<DeviceRule> DockerAllowed =
    [
        DeviceRule.Allowed(DeviceType.Char, null, null, DeviceAccess.Mknod),
        DeviceRule.Allowed(DeviceType.Block, null, null, DeviceAccess.Mknod),
        DeviceRule.Allowed(DeviceType.Char, 1, 3),    // /dev/null
        DeviceRule.Allowed(DeviceType.Char, 1, 5),    // /dev/zero
        DeviceRule.Allowed(DeviceType.Char, 1, 7),    // /dev/full
        DeviceRule.Allowed(DeviceType.Char, 1, 8),    // /dev/random
        DeviceRule.Allowed(DeviceType.Char, 1, 9),    // /dev/urandom
        DeviceRule.Allowed(DeviceType.Char, 5, 0),    // /dev/tty
        DeviceRule.Allowed(DeviceType.Char, 5, 1),    // /dev/console
        DeviceRule.Allowed(DeviceType.Char, 5, 2),    // /dev/ptmx
        DeviceRule.Allowed(DeviceType.Char, 136, null), // /dev/pts/*
        DeviceRule.Allowed(DeviceType.Char, 10, 200), // /dev/net/tun
    ];

    static readonly DeviceRule Everything = new(true, DeviceType.All, null, null, DeviceAccess.All);

    /// <summary>
    /// The rules in the order v1 applies them: first one rule for every device (<c>a</c>) that sets the default
    /// (deny for <see cref="DevicePolicy.Allowlist"/>, allow for <see cref="DevicePolicy.AllowAll"/>), then the
    /// exceptions to it.
    /// </summary>
    public static IReadOnlyList<DeviceRule> For(DevicePolicy policy) => policy switch
    {
        DevicePolicy.Allowlist => [Everything with { Allow = false }, .. DockerAllowed],
        DevicePolicy.AllowAll => [Everything],
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, "unknown device policy"),
    };
}
