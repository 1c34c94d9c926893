namespace Islander.Drivers.Cgroups;

/// <summary>Which device nodes the processes of an isle may open (v1 <c>devices</c> controller).</summary>
public enum DevicePolicy
{
    /// <summary>
    /// Docker's default allowlist: mknod of any node, and read/write/mknod of null, zero, full, random, urandom,
    /// tty, console, ptmx, the pts and tun. Everything else is denied.
    /// </summary>
    Allowlist,

    /// <summary>Every device (Docker's <c>--privileged</c>).</summary>
    AllowAll,
}
