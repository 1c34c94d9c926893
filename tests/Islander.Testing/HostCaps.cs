using Xunit;
using Islander.Drivers.Cgroups;
using Islander.Model;

namespace Islander.Testing;

/// <summary>
/// What this host can do, for tests that need root or a kernel feature. Off root such tests skip with a
/// reason; as root, a missing feature is a failure (containerd's RequiresRoot), so CI cannot go green by skipping.
/// </summary>
public static class HostCaps
{
    static readonly Lazy<CgroupHost?> CgroupHost = new(() =>
    {
        try
        {
            return CgroupDetector.Detect();
        }
        catch (CgroupException)
        {
            return null;
        }
    });

    public static bool IsRoot => Environment.IsPrivilegedProcess;

    /// <summary>What <see cref="CgroupDetector"/> finds at /sys/fs/cgroup; null when no cgroup filesystem is there.</summary>
    public static CgroupHost? Cgroups => CgroupHost.Value;

    /// <summary>The cgroup version the controllers are on (v1 for hybrid); null without cgroups.</summary>
    public static CgroupVersion? CgroupVersion => Cgroups?.Version;

    public static bool CgroupV1 => CgroupVersion == Drivers.Cgroups.CgroupVersion.V1;

    public static bool CgroupV2 => CgroupVersion == Drivers.Cgroups.CgroupVersion.V2;

    /// <summary>
    /// Where a cgroup2 hierarchy is mounted: the cgroup root on a unified host, <c>root/unified</c> on a hybrid one
    /// (it holds no controllers there, but BPF_CGROUP_DEVICE programs attached in it are enforced); null on legacy hosts.
    /// </summary>
    public static string? Cgroup2Root => Cgroups switch
    {
        { Layout: CgroupLayout.Unified } host => host.Root,
        { Layout: CgroupLayout.Hybrid } host => Path.Combine(host.Root, "unified"),
        _ => null,
    };

    public static bool HasCgroupController(CgroupController controller) => Cgroups?.Controllers.Contains(controller) == true;

    /// <summary>Skips when not root.</summary>
    public static void RequireRoot() => Assert.SkipUnless(IsRoot, "needs root");

    /// <summary>Skips when not root; as root, fails when <paramref name="feature"/> is false.</summary>
    /// <param name="what">The feature, as a reason: "cgroup v1 memory controller".</param>
    public static void Require(bool feature, string what)
    {
        Assert.SkipUnless(IsRoot, $"needs root ({what})");
        Assert.True(feature, $"running as root, but this host lacks {what} ({Cgroups?.ToString() ?? "no cgroups"})");
    }

    /// <summary>Skips unless the host's cgroups are on <paramref name="version"/> (a host has one or the other; this is not a failure).</summary>
    public static void RequireCgroup(CgroupVersion version)
    {
        Require(Cgroups is not null, "a cgroup filesystem at /sys/fs/cgroup");
        Assert.SkipUnless(CgroupVersion == version, $"needs cgroup {version}, this host is {Cgroups}");
    }
}
