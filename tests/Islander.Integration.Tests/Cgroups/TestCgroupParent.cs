using Islander.Drivers.Cgroups;
using Islander.Testing;

namespace Islander.Integration.Tests.Cgroups;

/// <summary>
/// A parent group of its own for one test (<c>islander-test-&lt;random&gt;</c>) and the driver for it, on the
/// host's real cgroups. Dispose deletes the isles, then the parent in every hierarchy, so nothing is left.
/// </summary>
public sealed class TestCgroupParent : IDisposable
{
    readonly List<string> _isles = [];

    /// <summary>Skips off root; as root, fails unless the host's cgroups are v1 (legacy or hybrid) with <paramref name="needs"/>.</summary>
    public TestCgroupParent(params CgroupController[] needs)
    {
        HostCaps.Require(HostCaps.Cgroups is not null, "a cgroup filesystem at /sys/fs/cgroup");
        HostCaps.RequireCgroup(CgroupVersion.V1);
        foreach (var c in needs)
            HostCaps.Require(HostCaps.HasCgroupController(c), $"the cgroup v1 {c} controller");
        Host = HostCaps.Cgroups!;
        Name = "islander-test-" + Guid.NewGuid().ToString("N")[..8];
        // As islanderd makes it: the host's controllers and the hierarchies systemd tracks processes by.
        Driver = (CgroupV1Driver)CgroupDetector.CreateDriver(Host, Name);
    }

    public CgroupHost Host { get; }

    public string Name { get; }

    public CgroupV1Driver Driver { get; }

    /// <summary>Records an isle for cleanup.</summary>
    public string Isle(string isle)
    {
        _isles.Add(isle);
        return isle;
    }

    /// <summary>A control file of the isle's group in one hierarchy, trimmed.</summary>
    public string Read(string hierarchy, string isle, string file) =>
        File.ReadAllText(Path.Combine(Host.Root, hierarchy, Name, isle, file)).Trim();

    public void Dispose()
    {
        foreach (var isle in _isles)
            Driver.DeleteAsync(isle, CancellationToken.None).GetAwaiter().GetResult();
        foreach (var hierarchy in CgroupV1Driver.HierarchyNames.Values.Concat(CgroupV1Driver.TrackingHierarchyNames))
        {
            string dir = Path.Combine(Host.Root, hierarchy, Name);
            if (Directory.Exists(dir))
                Directory.Delete(dir); // rmdir: a cgroup directory goes with its control files
        }
    }
}
