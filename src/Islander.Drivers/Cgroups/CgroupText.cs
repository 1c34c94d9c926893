using System.Globalization;

namespace Islander.Drivers.Cgroups;

/// <summary>Parsers for the text of cgroup control files. Pure: they take the file's content.</summary>
public static class CgroupText
{
    /// <summary>v1 reports "unlimited" memory as a huge page-rounded number (PAGE_COUNTER_MAX × page size).</summary>
    const long V1UnlimitedFloor = 1L << 62;

    /// <summary>The pids of cgroup.procs, one per line.</summary>
    public static IReadOnlyList<int> Pids(string? procs)
    {
        var pids = new List<int>();
        foreach (var line in Lines(procs))
            if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
                pids.Add(pid);
        return pids;
    }

    /// <summary>The value of <c>key N</c> in a flat-keyed file (memory.events, memory.oom_control, cpu.stat); null when absent.</summary>
    public static long? Keyed(string? content, string key)
    {
        foreach (var line in Lines(content))
        {
            var parts = line.Split(' ', 2, StringSplitOptions.TrimEntries);
            if (parts.Length == 2 && parts[0] == key
                && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long value))
                return value;
        }
        return null;
    }

    /// <summary>A single number (memory.current, pids.current); null when missing or "max".</summary>
    public static long? Number(string? content) =>
        long.TryParse(content?.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value) ? value : null;

    /// <summary>v1 memory.limit_in_bytes: null for unlimited.</summary>
    public static long? V1MemoryLimit(string? content) =>
        Number(content) is long v && v is > 0 and < V1UnlimitedFloor ? v : null;

    /// <summary>
    /// Usage less the inactive file cache (docker's and cAdvisor's working set): <paramref name="usage"/> minus the
    /// <paramref name="inactiveFileKey"/> line of memory.stat (v1 <c>total_inactive_file</c>, v2 <c>inactive_file</c>),
    /// usage as it is when the line is missing or larger. Null without a usage.
    /// </summary>
    public static long? WorkingSet(long? usage, string? memoryStat, string inactiveFileKey) =>
        usage is not long u ? null
        : Keyed(memoryStat, inactiveFileKey) is long inactive && inactive < u ? u - inactive
        : u;

    /// <summary>
    /// Bytes read and written, summed over devices, from v1 blkio.throttle.io_service_bytes(_recursive):
    /// <c>8:0 Read 4096</c>, <c>8:0 Write 512</c>, ... and a last <c>Total N</c> line. Null when the file is missing.
    /// </summary>
    public static (long Read, long Write)? V1IoServiceBytes(string? content)
    {
        if (content is null)
            return null;
        long read = 0, write = 0;
        foreach (var line in Lines(content))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length != 3 || !long.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out long n))
                continue;
            if (f[1] == "Read")
                read += n;
            else if (f[1] == "Write")
                write += n;
        }
        return (read, write);
    }

    /// <summary>
    /// Bytes read and written, summed over devices, from v2 io.stat:
    /// <c>8:0 rbytes=4096 wbytes=512 rios=1 wios=1 dbytes=0 dios=0</c>. Null when the file is missing.
    /// </summary>
    public static (long Read, long Write)? V2IoStat(string? content)
    {
        if (content is null)
            return null;
        long read = 0, write = 0;
        foreach (var line in Lines(content))
            foreach (var field in line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1))
            {
                int eq = field.IndexOf('=');
                if (eq < 0 || !long.TryParse(field.AsSpan(eq + 1), NumberStyles.None, CultureInfo.InvariantCulture, out long n))
                    continue;
                if (field.AsSpan(0, eq).SequenceEqual("rbytes"))
                    read += n;
                else if (field.AsSpan(0, eq).SequenceEqual("wbytes"))
                    write += n;
            }
        return (read, write);
    }

    /// <summary>Space-separated controller names (cgroup.controllers, cgroup.subtree_control).</summary>
    public static IReadOnlySet<string> Controllers(string? content) =>
        new HashSet<string>((content ?? "").Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);

    /// <summary>Devices named in v1 blkio.throttle.* ("8:0 1048576") or v2 io.max ("8:0 rbps=max ...") lines.</summary>
    public static IEnumerable<DeviceNumber> ThrottledDevices(string? content)
    {
        foreach (var line in Lines(content))
        {
            int space = line.IndexOf(' ');
            if (space > 0 && DeviceNumber.TryParse(line.AsSpan(0, space), out var device))
                yield return device;
        }
    }

    static IEnumerable<string> Lines(string? content) =>
        (content ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
