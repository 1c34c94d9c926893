using System.Globalization;
using Islander.Model;

namespace Islander.Drivers.Cgroups;

/// <summary>The task limit's write, the same file and values on cgroup v1 and v2 (the pids controller did not change).</summary>
internal static class CgroupPids
{
    /// <summary>
    /// pids.max for <see cref="IsleResources.Pids"/>: "max" for 0 (no limit), else the number. Islander's default
    /// (<see cref="IsleResources.DefaultPids"/>) counts as a default, not a request: like the kernel's defaults it is
    /// skipped where the host has no pids controller, so isles still start there.
    /// </summary>
    public static CgroupWrite Max(long pids) => new(CgroupController.Pids, "pids.max",
        pids > 0 ? pids.ToString(CultureInfo.InvariantCulture) : "max",
        Reset: pids is 0 or IsleResources.DefaultPids);
}
