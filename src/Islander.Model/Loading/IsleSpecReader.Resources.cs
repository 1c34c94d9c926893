using System.Text.RegularExpressions;

namespace Islander.Model;

internal static partial class IsleSpecReader
{
    private static readonly string[] ResourceFields = ["memory", "cpu", "cpuShares", "cpuPeriod", "cpuQuota", "cpuset", "pids", "disk", "io", "oomGroup"];
    private static readonly string[] IoFields = ["device", "readBps", "writeBps", "readIops", "writeIops"];

    private const long MinimumMemory = 1L << 20;

    private static IsleResources ReadResources(Fields r, DriverCatalog drivers)
    {
        var memory = r.Bytes("memory");
        if (memory is < MinimumMemory)
        {
            r.Error("memory", $"{memory} bytes is below 1Mi; a limit this small kills the isle at once. Did you forget a unit, as in 64Mi?");
        }
        var cpu = r.CpuMillis("cpu");
        if (cpu == 0) r.Error("cpu", "must be more than 0; leave cpu out for no limit");
        var quota = r.Integer("cpuQuota", 1000, long.MaxValue / 2, " (µs; the kernel's minimum is 1000)");
        if (r.Has("cpu") && r.Has("cpuQuota"))
        {
            r.Error("cpuQuota", "set either cpu or cpuQuota, not both; cpu is the simpler form (quota = cpu × period)");
        }

        return new IsleResources
        {
            Memory = memory,
            CpuMillis = cpu,
            CpuShares = r.Integer("cpuShares", 2, 262144, " (cgroup v1 cpu.shares units; 1024 is the default weight)"),
            CpuPeriod = r.Integer("cpuPeriod", 1000, 1_000_000, " (µs)"),
            CpuQuota = quota,
            Cpuset = ReadCpuset(r),
            Pids = ReadPids(r),
            Disk = ReadDisk(r),
            Io = ReadIo(r),
            OomGroup = ReadOomGroup(r, drivers),
        };
    }

    private static bool ReadOomGroup(Fields r, DriverCatalog drivers)
    {
        var group = r.Bool("oomGroup") ?? false;
        if (group && !drivers.OomGroup)
        {
            // v1 kills one process at a time and has no file to ask for more; a silent "no" would leave half an isle running.
            r.Error("oomGroup", "needs cgroup v2 (memory.oom.group), and this host runs cgroup v1, where the OOM killer kills one process at a time; "
                + "remove oomGroup, or boot the host with the unified hierarchy (systemd.unified_cgroup_hierarchy=1)");
            return false;
        }
        return group;
    }

    /// <summary>The kernel's pid_max ceiling (PID_MAX_LIMIT on 64-bit): more tasks than this cannot exist.</summary>
    private const long MaximumPids = 4_194_304;

    /// <summary>
    /// A number of tasks, or <c>max</c> (cgroup v2's spelling) or 0 (Docker's, and the record's, so the API's JSON
    /// reads back) for none. Unset keeps <see cref="IsleResources.DefaultPids"/>.
    /// </summary>
    private static long ReadPids(Fields r)
    {
        if (r.Get("pids") is ScalarNode { Value: "max" }) return 0;
        return r.Integer("pids", 0, MaximumPids, $" (max or 0: no limit; unset: {IsleResources.DefaultPids})") ?? IsleResources.DefaultPids;
    }

    /// <summary>The smallest writable layer worth having: an isle that writes nothing still needs a few blocks.</summary>
    private const long MinimumDisk = 1L << 20;

    private static long? ReadDisk(Fields r)
    {
        var disk = r.Bytes("disk");
        if (disk is < MinimumDisk)
        {
            r.Error("disk", $"{disk} bytes is below 1Mi, too small for an isle's writable layer. Did you forget a unit, as in 1Gi? Leave disk out for no limit");
            return null;
        }
        return disk;
    }

    private static string? ReadCpuset(Fields r)
    {
        var cpuset = r.String("cpuset");
        if (cpuset is null) return null;
        var valid = CpusetRegex().IsMatch(cpuset) && cpuset.Split(',').All(range =>
        {
            var ends = range.Split('-');
            return ends.Length == 1 || (int.TryParse(ends[0], out var a) && int.TryParse(ends[1], out var b) && a <= b);
        });
        if (!valid)
        {
            r.Error("cpuset", $"\"{cpuset}\" is not a CPU list; write CPU numbers and ranges such as \"0\", \"0-3\" or \"0,2-3\"");
            return null;
        }
        return cpuset;
    }

    private static IReadOnlyList<IoLimit> ReadIo(Fields r)
    {
        var devices = new HashSet<string>(StringComparer.Ordinal);
        return r.List("io", (node, path) =>
        {
            if (r.Reader.Object(node, path, IoFields) is not { } f) return null;
            var device = Paths.Absolute(f, "device", "/dev/vda");
            if (device is null && !f.Has("device")) f.Required("device", "name the block device, e.g. device: /dev/vda");
            var limit = new IoLimit(
                device ?? "",
                Positive(f, "readBps", f.Bytes("readBps")),
                Positive(f, "writeBps", f.Bytes("writeBps")),
                f.Integer("readIops", 1, long.MaxValue),
                f.Integer("writeIops", 1, long.MaxValue));
            if (!IoFields.Skip(1).Any(f.Has))
            {
                f.Reader.Error(f.At, path, "sets no limit; add readBps, writeBps, readIops or writeIops");
                return null;
            }
            if (device is null) return null;
            if (!devices.Add(device))
            {
                f.Error("device", $"{device} is limited twice; merge the two entries");
                return null;
            }
            return limit;
        }, "[{device: /dev/vda, readBps: 10Mi}]");
    }

    private static long? Positive(Fields f, string key, long? value)
    {
        if (value == 0) f.Error(key, "must be more than 0; leave it out for no limit");
        return value;
    }

    [GeneratedRegex(@"^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$")]
    private static partial Regex CpusetRegex();
}
