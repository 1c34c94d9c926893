using System.Globalization;
using Islander.Model;

namespace Islander.Drivers.Cgroups;

/// <summary>
/// <see cref="IsleResources"/> as the ordered cgroup v2 writes that make an isle's group match them. Every
/// file islander manages is written, unset limits with their default, so re-applying a changed spec lifts
/// the limits it no longer names. Devices are not a file on v2: <see cref="CgroupV2Driver"/> attaches a
/// BPF_CGROUP_DEVICE program (<see cref="DeviceFilterProgram"/>) besides the plan.
/// </summary>
public static class CgroupV2Plan
{
    /// <summary>v2's spelling of "no limit".</summary>
    public const string Unlimited = "max";

    /// <param name="resources">The limits wanted.</param>
    /// <param name="current">The group as it is now (swap accounting, throttled devices).</param>
    /// <param name="resolveDevice">Maps an IO device path to its major:minor (the driver stats it).</param>
    /// <exception cref="CgroupException">InvalidManifest for contradictory CPU settings; whatever <paramref name="resolveDevice"/> throws.</exception>
    public static IReadOnlyList<CgroupWrite> For(IsleResources resources, CgroupCurrent current, Func<string, DeviceNumber> resolveDevice)
    {
        var r = resources;
        var writes = new List<CgroupWrite>();

        // An empty cpuset.cpus means "the parent's" on v2 (unlike v1, where it refuses tasks).
        bool cpuset = !string.IsNullOrWhiteSpace(r.Cpuset);
        writes.Add(new CgroupWrite(CgroupController.Cpuset, "cpuset.cpus", cpuset ? r.Cpuset!.Trim() : "", Reset: !cpuset));

        bool memory = r.Memory is > 0;
        writes.Add(new CgroupWrite(CgroupController.Memory, "memory.max", memory ? Num(r.Memory!.Value) : Unlimited, Reset: !memory));
        if (current.SwapAccounting)
            writes.Add(new CgroupWrite(CgroupController.Memory, "memory.swap.max", memory ? "0" : Unlimited, Reset: !memory));
        // The OOM killer kills the whole group, not one process of it (Linux 4.19; Kubernetes sets it since 1.28).
        writes.Add(new CgroupWrite(CgroupController.Memory, "memory.oom.group", r.OomGroup ? "1" : "0", Reset: !r.OomGroup));

        writes.Add(r.CpuShares is > 0 and var shares
            ? new CgroupWrite(CgroupController.Cpu, "cpu.weight", Num(CgroupCpu.SharesToWeight(shares)))
            : new CgroupWrite(CgroupController.Cpu, "cpu.weight", Num(CgroupCpu.DefaultWeight), Reset: true));
        var (quota, period) = CgroupCpu.Bandwidth(r);
        writes.Add(new CgroupWrite(CgroupController.Cpu, "cpu.max",
            $"{(quota is null ? Unlimited : Num(quota.Value))} {Num(period)}", Reset: quota is null && r.CpuPeriod is null));

        writes.Add(CgroupPids.Max(r.Pids));

        var wanted = new Dictionary<DeviceNumber, IoLimit>();
        foreach (var io in r.Io)
            wanted[resolveDevice(io.Device)] = io;
        foreach (var (device, io) in wanted)
            writes.Add(new CgroupWrite(CgroupController.Io, "io.max",
                $"{device} rbps={Limit(io.ReadBps)} wbps={Limit(io.WriteBps)} riops={Limit(io.ReadIops)} wiops={Limit(io.WriteIops)}"));
        foreach (var device in current.ThrottledDevices.Where(d => !wanted.ContainsKey(d)).Order())
            writes.Add(new CgroupWrite(CgroupController.Io, "io.max",
                $"{device} rbps={Unlimited} wbps={Unlimited} riops={Unlimited} wiops={Unlimited}", Reset: true));

        return writes;
    }

    static string Limit(long? value) => value is > 0 and var v ? Num(v) : Unlimited;

    static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);
}
