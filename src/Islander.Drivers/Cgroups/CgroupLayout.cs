namespace Islander.Drivers.Cgroups;

/// <summary>How cgroups are mounted under the cgroup root (systemd's names for the three layouts).</summary>
public enum CgroupLayout
{
    /// <summary>Only v1 hierarchies: the root is a tmpfs holding one cgroupfs per controller.</summary>
    Legacy,

    /// <summary>v1 hierarchies plus an empty cgroup2 mount at <c>root/unified</c> (systemd's "hybrid"): the controllers are on v1.</summary>
    Hybrid,

    /// <summary>The root itself is cgroup2 (every modern distribution).</summary>
    Unified,
}
