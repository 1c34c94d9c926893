using Islander.Drivers.Cgroups;
using Islander.Testing;

namespace Islander.Integration.Tests.Cgroups;

/// <summary>
/// On a v1 or hybrid host the isle also leaves the daemon's group in the hierarchies systemd tracks units by
/// (name=systemd, and cgroup2 on the hybrid layout): otherwise systemd counts the isle in islanderd.service.
/// </summary>
[Collection(CgroupCollection.Name)]
public sealed class CgroupV1TrackingTests : IDisposable
{
    readonly ChildProcesses _processes = new();
    readonly TestCgroupParent _parent = new();

    [Fact]
    public async Task AddProcess_SystemdHierarchiesMounted_IsleJoinsItsGroupThereTooAndDeleteRemovesIt()
    {
        var tracking = CgroupDetector.TrackingHierarchies(_parent.Host);
        Assert.SkipWhen(tracking.Count == 0, $"no name=systemd or hybrid cgroup2 hierarchy on this host ({_parent.Host})");
        string isle = _parent.Isle("tracked");
        _parent.Driver.Create(isle, new Islander.Model.IsleResources(), DevicePolicy.AllowAll, CancellationToken.None);
        int pid = _processes.StartSleep();

        _parent.Driver.AddProcess(isle, pid, CancellationToken.None);

        // /proc/PID/cgroup: "1:name=systemd:/PARENT/ISLE" and, hybrid, "0::/PARENT/ISLE".
        var lines = File.ReadAllLines($"/proc/{pid}/cgroup").Select(l => l.Split(':', 3)).ToList();
        foreach (var hierarchy in tracking)
        {
            string key = hierarchy == "unified" ? "" : "name=systemd";
            Assert.Equal($"/{_parent.Name}/{isle}", Assert.Single(lines, f => f[1] == key)[2]);
        }

        await _parent.Driver.DeleteAsync(isle, CancellationToken.None);
        Assert.True(_processes.ExitsWithin(pid, TimeSpan.FromSeconds(10)), "the isle's process outlived the delete");
        foreach (var hierarchy in tracking)
            Assert.False(Directory.Exists(Path.Combine(_parent.Host.Root, hierarchy, _parent.Name, isle)));
    }

    public void Dispose()
    {
        _processes.Dispose();
        _parent.Dispose();
    }
}
