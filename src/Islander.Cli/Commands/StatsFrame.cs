using Islander.Model;
using System.Globalization;
using Islander.Model.Api;

namespace Islander.Cli.Commands;

/// <summary>
/// One screen of <c>islanderctl stats</c> from two samples of the API's IsleStats objects: CPU % is docker's,
/// (Δ cpu.usageNanoseconds / Δ timestamp) × 100, so 100 % is one core busy, 200 % two. Pure.
/// </summary>
public static class StatsFrame
{
    /// <summary>
    /// The <paramref name="current"/> samples, each given <c>cpu.percent</c> (null when the isle has no earlier sample,
    /// it restarted meanwhile, or its CPU time is not readable).
    /// </summary>
    public static IReadOnlyList<IsleStatsView> WithCpuPercent(IReadOnlyList<IsleStatsView> previous, IReadOnlyList<IsleStatsView> current)
    {
        var before = previous.GroupBy(o => o.Metadata.Name).ToDictionary(g => g.Key, g => g.First());
        return current.Select(now =>
        {
            double? percent = null;
            if (before.TryGetValue(now.Metadata.Name, out var then)
                && now.Cpu.UsageNanoseconds is long cpuNow && then.Cpu.UsageNanoseconds is long cpuThen && cpuNow >= cpuThen
                && Timestamp(now) is { } tNow && Timestamp(then) is { } tThen && tNow > tThen)
                percent = Math.Round((cpuNow - cpuThen) / ((tNow - tThen).Ticks * 100.0) * 100, 2);
            return now with { Cpu = now.Cpu with { Percent = percent } };
        }).ToList();
    }

    /// <summary>docker stats' columns: NAME, CPU %, MEM USAGE / LIMIT, MEM %, NET I/O, BLOCK I/O, PIDS; "--" where unknown.</summary>
    internal static Table Render(IEnumerable<string> names, IReadOnlyList<IsleStatsView> items)
    {
        var table = new Table("NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O", "BLOCK I/O", "PIDS");
        var byName = items.GroupBy(o => o.Metadata.Name).ToDictionary(g => g.Key, g => g.First());
        foreach (var name in names)
        {
            if (!byName.TryGetValue(name, out var o))
            {
                table.Add(name, "--", "-- / --", "--", "-- / --", "-- / --", "--"); // not running (any more)
                continue;
            }
            long? usage = o.Memory.UsageBytes, limit = o.Memory.LimitBytes;
            table.Add(name,
                o.Cpu.Percent is { } cpu ? cpu.ToString("0.00", CultureInfo.InvariantCulture) + "%" : "--",
                $"{Bytes(usage)} / {Bytes(limit)}",
                usage is { } u && limit is > 0 ? (100.0 * u / limit.Value).ToString("0.00", CultureInfo.InvariantCulture) + "%" : "--",
                o.Network is { } net ? $"{Bytes(net.RxBytes)} / {Bytes(net.TxBytes)}" : "-- / --",
                $"{Bytes(o.BlockIO.ReadBytes)} / {Bytes(o.BlockIO.WriteBytes)}",
                o.Pids.Current?.ToString(CultureInfo.InvariantCulture) ?? "--");
        }
        return table;
    }

    static DateTimeOffset? Timestamp(IsleStatsView o) =>
        DateTimeOffset.TryParse(o.Timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    static string Bytes(long? n) => n is { } b ? ByteSize.Format(b) : "--";
}
