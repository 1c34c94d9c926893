namespace Islander.Drivers.Cgroups;

/// <summary>
/// Which device nodes the processes of an isle may open and make: <see cref="DeviceRules.For"/> gives the rules,
/// which v1 writes into its devices controller and v2 compiles into a BPF_CGROUP_DEVICE program.
/// </summary>
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
