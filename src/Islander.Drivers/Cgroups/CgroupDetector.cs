using Islander.Drivers.Interop;
using Islander.Model;

namespace Islander.Drivers.Cgroups;

/// <summary>
/// Finds out how cgroups are mounted (never assumes), from the statfs magic of the root and of its
/// children, as systemd's cg_unified_cached() and runc's IsCgroup2UnifiedMode() do.
/// </summary>
public static class CgroupDetector
{
    public const string DefaultRoot = "/sys/fs/cgroup";

    /// <summary>Probes <paramref name="root"/>.</summary>
    /// <exception cref="CgroupException">Unsupported when no cgroup filesystem is mounted there; NotFound when the root is missing.</exception>
    public static CgroupHost Detect(string root = DefaultRoot)
    {
        int err = CgroupInterop.FileSystemType(root, out long rootType);
        if (err != 0)
            throw CgroupException.SyscallFailed("statfs", root, err);
        long? unifiedType = CgroupInterop.FileSystemType(Path.Combine(root, "unified"), out long u) == 0 ? u : null;

        var layout = Classify(rootType, unifiedType);
        if (layout == CgroupLayout.Unified)
        {
            string controllers = File.ReadAllText(Path.Combine(root, "cgroup.controllers"));
            return new CgroupHost(root, layout, V2Controllers(controllers));
        }

        var mounted = CgroupV1Driver.HierarchyNames
            .Where(h => CgroupInterop.FileSystemType(Path.Combine(root, h.Value), out long t) == 0 && t == CgroupInterop.CgroupSuperMagic)
            .Select(h => h.Key)
            .ToHashSet();
        if (mounted.Count == 0)
            throw new CgroupException($"no cgroup filesystem at {root}: neither cgroup2 nor v1 hierarchies are mounted there, and isles need one. " +
                $"Mount it (mount -t cgroup2 none {root}), or, inside a network namespace, enter it with nsenter --net=/run/netns/NAME " +
                "instead of ip netns exec (which mounts a sysfs of its own, without cgroups)", ErrorCategory.Unsupported);
        return new CgroupHost(root, layout, mounted);
    }

    /// <summary>The driver for what <paramref name="host"/> found; the parent group is created on first use.</summary>
    public static ICgroupDriver CreateDriver(CgroupHost host, string parent = CgroupParent.Default) =>
        host.Version == CgroupVersion.V2
            ? new CgroupV2Driver(host.Root, parent)
            : new CgroupV1Driver(host.Root, parent, host.Controllers, TrackingHierarchies(host));

    /// <summary>
    /// Which of <see cref="CgroupV1Driver.TrackingHierarchyNames"/> are mounted on a v1 or hybrid host: <c>systemd</c> when
    /// it is a v1 cgroup filesystem (name=systemd), <c>unified</c> when it is cgroup2 (the hybrid layout).
    /// </summary>
    public static IReadOnlyList<string> TrackingHierarchies(CgroupHost host)
    {
        if (host.Version == CgroupVersion.V2) return [];
        var found = new List<string>();
        if (CgroupInterop.FileSystemType(Path.Combine(host.Root, "systemd"), out long t) == 0 && t == CgroupInterop.CgroupSuperMagic)
            found.Add("systemd");
        if (host.Layout == CgroupLayout.Hybrid)
            found.Add("unified");
        return found;
    }

    /// <summary>
    /// The layout from statfs f_type values: cgroup2 at the root is unified; otherwise (a tmpfs of v1
    /// hierarchies) hybrid when <c>root/unified</c> is cgroup2, legacy when not.
    /// </summary>
    /// <param name="unifiedType">f_type of <c>root/unified</c>, null when it does not exist.</param>
    public static CgroupLayout Classify(long rootType, long? unifiedType) =>
        rootType == CgroupInterop.Cgroup2SuperMagic ? CgroupLayout.Unified
        : unifiedType == CgroupInterop.Cgroup2SuperMagic ? CgroupLayout.Hybrid
        : CgroupLayout.Legacy;

    /// <summary>The controllers islander knows in a v2 cgroup.controllers line.</summary>
    public static IReadOnlySet<CgroupController> V2Controllers(string controllers)
    {
        var names = CgroupText.Controllers(controllers);
        var result = new HashSet<CgroupController>();
        foreach (var (name, c) in (ReadOnlySpan<(string, CgroupController)>)
                 [("cpu", CgroupController.Cpu), ("cpuset", CgroupController.Cpuset), ("io", CgroupController.Io),
                  ("memory", CgroupController.Memory), ("pids", CgroupController.Pids)])
            if (names.Contains(name))
                result.Add(c);
        return result;
    }
}
