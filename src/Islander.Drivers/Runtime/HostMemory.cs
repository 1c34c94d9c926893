using System.Globalization;

namespace Islander.Drivers.Runtime;

/// <summary>The machine's memory, from /proc/meminfo: what an isle without a memory limit may use (docker stats shows it as the limit).</summary>
public static class HostMemory
{
    /// <summary>MemTotal in bytes; 0 when /proc/meminfo cannot be read.</summary>
    public static long TotalBytes()
    {
        try
        {
            return TotalBytes(File.ReadAllText("/proc/meminfo"));
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>The <c>MemTotal:  16318480 kB</c> line of a meminfo text, in bytes; 0 when absent. Pure.</summary>
    public static long TotalBytes(string meminfo)
    {
        foreach (var line in meminfo.Split('\n'))
        {
            if (!line.StartsWith("MemTotal:", StringComparison.Ordinal))
                continue;
            var f = line["MemTotal:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return f.Length > 0 && long.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out long kb) ? kb * 1024 : 0;
        }
        return 0;
    }
}
