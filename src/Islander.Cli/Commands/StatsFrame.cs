using Islander.Model;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Islander.Cli.Commands;

/// <summary>
/// One screen of <c>islanderctl stats</c> from two samples of the API's IsleStats objects: CPU % is docker's,
/// (Δ cpu.usageNanoseconds / Δ timestamp) × 100, so 100 % is one core busy, 200 % two. Pure.
/// </summary>
public static class StatsFrame
{
    /// <summary>
    /// The <paramref name="current"/> objects, each given <c>cpu.percent</c> (null when the isle has no earlier sample,
    /// it restarted meanwhile, or its CPU time is not readable). Objects are changed in place and returned.
    /// </summary>
    public static IReadOnlyList<JsonObject> WithCpuPercent(IReadOnlyList<JsonObject> previous, IReadOnlyList<JsonObject> current)
    {
        var before = previous.Where(o => Name(o) is not null).GroupBy(o => Name(o)!).ToDictionary(g => g.Key, g => g.First());
        foreach (var now in current)
        {
            double? percent = null;
            if (Name(now) is { } name && before.TryGetValue(name, out var then)
                && Cpu(now) is long cpuNow && Cpu(then) is long cpuThen && cpuNow >= cpuThen
                && Timestamp(now) is { } tNow && Timestamp(then) is { } tThen && tNow > tThen)
                percent = Math.Round((cpuNow - cpuThen) / ((tNow - tThen).Ticks * 100.0) * 100, 2);
            if (now["cpu"] is JsonObject cpu)
                cpu["percent"] = percent;
        }
        return current;
    }

    /// <summary>docker stats' columns: NAME, CPU %, MEM USAGE / LIMIT, MEM %, NET I/O, BLOCK I/O, PIDS; "--" where unknown.</summary>
    internal static Table Render(IEnumerable<string> names, IReadOnlyList<JsonObject> items)
    {
        var table = new Table("NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O", "BLOCK I/O", "PIDS");
        var byName = items.Where(o => Name(o) is not null).GroupBy(o => Name(o)!).ToDictionary(g => g.Key, g => g.First());
        foreach (var name in names)
        {
            if (!byName.TryGetValue(name, out var o))
            {
                table.Add(name, "--", "-- / --", "--", "-- / --", "-- / --", "--"); // not running (any more)
                continue;
            }
            long? usage = Long(o, "memory", "usageBytes"), limit = Long(o, "memory", "limitBytes");
            table.Add(name,
                Double(o, "cpu", "percent") is { } cpu ? cpu.ToString("0.00", CultureInfo.InvariantCulture) + "%" : "--",
                $"{Bytes(usage)} / {Bytes(limit)}",
                usage is { } u && limit is > 0 ? (100.0 * u / limit.Value).ToString("0.00", CultureInfo.InvariantCulture) + "%" : "--",
                o["network"] is JsonObject ? $"{Bytes(Long(o, "network", "rxBytes"))} / {Bytes(Long(o, "network", "txBytes"))}" : "-- / --",
                $"{Bytes(Long(o, "blockIO", "readBytes"))} / {Bytes(Long(o, "blockIO", "writeBytes"))}",
                Long(o, "pids", "current")?.ToString(CultureInfo.InvariantCulture) ?? "--");
        }
        return table;
    }

    public static string? Name(JsonObject o) => o["metadata"]?["name"]?.GetValue<string>();

    static long? Cpu(JsonObject o) => Long(o, "cpu", "usageNanoseconds");

    static DateTimeOffset? Timestamp(JsonObject o) =>
        o["timestamp"]?.GetValue<string>() is { } s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    static long? Long(JsonObject o, string section, string field) => o[section]?[field] is JsonValue v && v.TryGetValue(out long n) ? n : null;

    static double? Double(JsonObject o, string section, string field) => o[section]?[field] is JsonValue v && v.TryGetValue(out double d) ? d : null;

    static string Bytes(long? n) => n is { } b ? ByteSize.Format(b) : "--";
}
