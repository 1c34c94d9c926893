namespace Islander.Drivers.Cgroups;

/// <summary>What <see cref="CgroupDetector"/> found under a cgroup root.</summary>
/// <param name="Root">The cgroup root that was probed (usually /sys/fs/cgroup).</param>
/// <param name="Layout">How cgroups are mounted there.</param>
/// <param name="Controllers">The controllers islander can use: v1 hierarchies that are mounted, or v2 controllers in the root's cgroup.controllers.</param>
public sealed record CgroupHost(string Root, CgroupLayout Layout, IReadOnlySet<CgroupController> Controllers)
{
    /// <summary>The interface the controllers are on: v1 for the legacy and hybrid layouts (the hybrid cgroup2 mount holds none).</summary>
    public CgroupVersion Version => Layout == CgroupLayout.Unified ? CgroupVersion.V2 : CgroupVersion.V1;

    /// <summary>
    /// Whether islander can restrict devices here: v1 through the devices controller, v2 always (a BPF_CGROUP_DEVICE
    /// program, in every kernel with cgroup2 and CONFIG_CGROUP_BPF; a kernel without it fails the isle's creation).
    /// </summary>
    public bool DeviceAllowlist => Version == CgroupVersion.V2 || Controllers.Contains(CgroupController.Devices);

    public override string ToString() =>
        $"cgroup {Version.ToString().ToLowerInvariant()} ({Layout.ToString().ToLowerInvariant()}) at {Root}: " +
        string.Join(", ", Controllers.Order().Select(c => c.ToString().ToLowerInvariant()));
}
