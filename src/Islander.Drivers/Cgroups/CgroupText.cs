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
