using System.Globalization;
using Islander.Model;

namespace Islander.Drivers.Cgroups;

/// <summary>
/// <see cref="IsleResources"/> as the ordered cgroup v1 writes that make an isle's groups match them. Every
/// file islander manages is written, unset limits with their default, so re-applying a changed spec lifts
/// the limits it no longer names.
/// </summary>
public static class CgroupV1Plan
{
    /// <summary>v1's spelling of "no limit" for memory and CFS quota.</summary>
    public const string Unlimited = "-1";

    /// <summary>The four blkio throttle files, in the order islander writes them.</summary>
    public static readonly IReadOnlyList<string> ThrottleFiles =
    [
        "blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
        "blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device",
    ];

    /// <param name="resources">The limits wanted.</param>
    /// <param name="devices">Device rules; <see cref="DevicePolicy.AllowAll"/> for privileged isles; null leaves them as they are (a live update).</param>
    /// <param name="current">The group as it is now (memory limit, swap accounting, throttled devices, parent cpuset).</param>
    /// <param name="resolveDevice">Maps an IO device path to its major:minor (the driver stats it).</param>
    /// <exception cref="CgroupException">InvalidManifest for contradictory CPU settings; Unsupported for <see cref="IsleResources.OomGroup"/>;
    /// whatever <paramref name="resolveDevice"/> throws.</exception>
    public static IReadOnlyList<CgroupWrite> For(
        IsleResources resources, DevicePolicy? devices, CgroupCurrent current, Func<string, DeviceNumber> resolveDevice)
    {
        RefuseUnsupported(resources);
        var writes = new List<CgroupWrite>();
        Cpuset(resources, current, writes);
        Memory(resources, current, writes);
        Cpu(resources, writes);
        writes.Add(CgroupPids.Max(resources.Pids));
        Io(resources, current, resolveDevice, writes);
        if (devices is { } policy)
            Devices(policy, writes);
        return writes;
    }

    /// <summary>
    /// v1 has no memory.oom.group: the OOM killer kills one process at a time there, whatever the spec asks, and a silent
    /// "no" would leave half an isle running. islanderd refuses the field when it parses the manifest on v1; this is for
    /// the callers that do not parse (islanderctl run without a daemon), before any group is made.
    /// </summary>
    /// <exception cref="CgroupException">Unsupported when <see cref="IsleResources.OomGroup"/> is set.</exception>
    public static void RefuseUnsupported(IsleResources resources)
    {
        if (resources.OomGroup)
            throw new CgroupException("resources.oomGroup needs cgroup v2 (memory.oom.group); this host's cgroups are v1, where the OOM killer "
                + "kills one process at a time: remove oomGroup, or boot with the unified hierarchy (systemd.unified_cgroup_hierarchy=1)",
                ErrorCategory.Unsupported);
    }

    /// <summary>cpuset first: a group with an empty cpuset.cpus or cpuset.mems refuses tasks with ENOSPC.</summary>
    static void Cpuset(IsleResources r, CgroupCurrent current, List<CgroupWrite> writes)
    {
        bool requested = !string.IsNullOrWhiteSpace(r.Cpuset);
        writes.Add(new CgroupWrite(CgroupController.Cpuset, "cpuset.cpus", requested ? r.Cpuset!.Trim() : current.ParentCpus, Reset: !requested));
        writes.Add(new CgroupWrite(CgroupController.Cpuset, "cpuset.mems", current.ParentMems, Reset: !requested));
    }

    /// <summary>
    /// memory.memsw.limit_in_bytes (memory + swap) must never be below memory.limit_in_bytes, or the write
    /// fails with EINVAL. Both get the same value (no swap beyond the limit, as Kubernetes), so: when the
    /// limit goes down write the memory limit first, when it goes up write memsw first (runc's setMemoryAndSwap).
    /// </summary>
    static void Memory(IsleResources r, CgroupCurrent current, List<CgroupWrite> writes)
    {
        bool requested = r.Memory is > 0;
        string value = requested ? Num(r.Memory!.Value) : Unlimited;
        var limit = new CgroupWrite(CgroupController.Memory, "memory.limit_in_bytes", value, Reset: !requested);
        if (!current.SwapAccounting)
        {
            writes.Add(limit);
            return;
        }

        var memsw = new CgroupWrite(CgroupController.Memory, "memory.memsw.limit_in_bytes", value, Reset: !requested);
        bool raising = !requested || (current.MemoryLimit is long now && r.Memory!.Value > now);
        writes.AddRange(raising ? [memsw, limit] : [limit, memsw]);
    }

    /// <summary>Period before quota, as runc does: the quota is checked against the period in force.</summary>
    static void Cpu(IsleResources r, List<CgroupWrite> writes)
    {
        var (quota, period) = CgroupCpu.Bandwidth(r);
        writes.Add(r.CpuShares is > 0 and var shares
            ? new CgroupWrite(CgroupController.Cpu, "cpu.shares", Num(shares))
            : new CgroupWrite(CgroupController.Cpu, "cpu.shares", Num(CgroupCpu.DefaultShares), Reset: true));
        writes.Add(new CgroupWrite(CgroupController.Cpu, "cpu.cfs_period_us", Num(period), Reset: r.CpuPeriod is null));
        writes.Add(new CgroupWrite(CgroupController.Cpu, "cpu.cfs_quota_us", quota is null ? Unlimited : Num(quota.Value), Reset: quota is null));
    }

    /// <summary>"maj:min value" lines; 0 lifts a throttle, so devices no longer listed get 0 in every file.</summary>
    static void Io(IsleResources r, CgroupCurrent current, Func<string, DeviceNumber> resolveDevice, List<CgroupWrite> writes)
    {
        var wanted = new Dictionary<DeviceNumber, long?[]>();
        foreach (var io in r.Io)
            wanted[resolveDevice(io.Device)] = [io.ReadBps, io.WriteBps, io.ReadIops, io.WriteIops];

        foreach (var (device, limits) in wanted)
            for (int i = 0; i < ThrottleFiles.Count; i++)
                writes.Add(new CgroupWrite(CgroupController.Io, ThrottleFiles[i], $"{device} {Num(limits[i] is > 0 and var v ? v : 0)}"));

        foreach (var device in current.ThrottledDevices.Where(d => !wanted.ContainsKey(d)).Order())
            foreach (var file in ThrottleFiles)
                writes.Add(new CgroupWrite(CgroupController.Io, file, $"{device} 0", Reset: true));
    }

    /// <summary>
    /// The policy's rules in order (<see cref="DeviceRules.For"/>): deny everything, then allow the list, as runc and
    /// Docker do for a fresh group; allowing everything restores the kernel's default, so it counts as a reset.
    /// </summary>
    static void Devices(DevicePolicy policy, List<CgroupWrite> writes)
    {
        foreach (var rule in DeviceRules.For(policy))
            writes.Add(new CgroupWrite(CgroupController.Devices, rule.Allow ? "devices.allow" : "devices.deny", rule.ToString(),
                Reset: policy == DevicePolicy.AllowAll));
    }

    /// <summary>
    /// What the kernel gives a v1 group it has just made, as islander writes it: no memory limit (with swap), the
    /// default CPU shares, period and no quota, no task limit. Writing one of these to a new group changes nothing,
    /// so <see cref="CgroupV1Driver.Create"/> leaves them out (<c>CgroupV1LimitsTests</c> checks each on the kernel).
    /// The cpuset (empty in a new group), the task limit islander sets by default and the device rules (a new group
    /// copies its parent's) are always written.
    /// </summary>
    public static readonly IReadOnlySet<(string File, string Value)> NewGroupDefaults = new HashSet<(string, string)>
    {
        ("memory.limit_in_bytes", Unlimited), ("memory.memsw.limit_in_bytes", Unlimited),
        ("cpu.shares", Num(CgroupCpu.DefaultShares)), ("cpu.cfs_period_us", Num(CgroupCpu.DefaultPeriod)), ("cpu.cfs_quota_us", Unlimited),
        ("pids.max", "max"),
    };

    /// <summary>Whether <paramref name="write"/> only sets what a new group has (<see cref="NewGroupDefaults"/>).</summary>
    public static bool IsNewGroupDefault(CgroupWrite write) => NewGroupDefaults.Contains((write.File, write.Value));

    static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);
}
