using Islander.Drivers.Cgroups;
using Islander.Testing;
using Islander.Testing.Cgroups;

namespace Islander.Integration.Tests.Cgroups;

/// <summary>The driver contract on this host's real cgroup v1 hierarchies, as root.</summary>
[Collection(CgroupCollection.Name)]
public sealed class CgroupV1DriverContractTests : CgroupDriverContract
{
    readonly ChildProcesses _processes = new();
    TestCgroupParent? _parent;

    protected override ICgroupDriver CreateDriver()
    {
        _parent = new TestCgroupParent(CgroupController.Memory, CgroupController.Pids, CgroupController.Cpu,
            CgroupController.Cpuset, CgroupController.Devices, CgroupController.Freezer);
        return _parent.Driver;
    }

    protected override int StartProcess() => _processes.StartSleep();

    /// <summary>Asks the kernel: every hierarchy the driver uses lists the pid under parent/isle in /proc/PID/cgroup.</summary>
    protected override bool IsInGroup(string isle, int pid)
    {
        var driver = (CgroupV1Driver)Driver;
        var names = driver.Controllers.Select(c => CgroupV1Driver.HierarchyNames[c]).ToHashSet();
        var lines = File.ReadAllLines($"/proc/{pid}/cgroup")
            .Select(l => l.Split(':', 3))
            .Where(f => f.Length == 3 && f[1].Split(',').Any(names.Contains))
            .ToList();
        return lines.Count > 0 && lines.All(f => f[2] == $"/{_parent!.Name}/{isle}");
    }

    protected override bool IsRunning(int pid) => _processes.IsRunning(pid);

    /// <summary>devices.list of a group that allows everything is the single line <c>a *:* rwm</c>.</summary>
    protected override bool RestrictsDevices(string isle) =>
        !File.ReadAllLines(Path.Combine(_parent!.Host.Root, "devices", _parent.Name, isle, "devices.list")).Contains("a *:* rwm");

    protected override void Cleanup()
    {
        _processes.Dispose();
        _parent?.Dispose();
    }
}
