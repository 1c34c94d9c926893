using System.Globalization;

namespace Islander.Drivers.Runtime;

/// <summary>
/// An isle's uid or gid map (/proc/PID/uid_map: "inside outside count" lines): ids as the isle sees them and as the host
/// does. Without a user namespace it is the identity map the kernel shows ("0 0 4294967295").
/// </summary>
public sealed class IsleIdMap(IReadOnlyList<(long Inside, long Outside, long Count)> ranges)
{
    /// <summary>The host id of the isle's <paramref name="inside"/> id; null when the isle has no such id.</summary>
    public uint? ToHost(long inside)
    {
        foreach (var (i, o, c) in ranges)
            if (inside >= i && inside < i + c) return (uint)(o + inside - i);
        return null;
    }

    /// <summary>The isle's id for host id <paramref name="outside"/>; the overflow id 65534 (nobody) when it is not mapped, as the kernel shows it.</summary>
    public long ToIsle(long outside)
    {
        foreach (var (i, o, c) in ranges)
            if (outside >= o && outside < o + c) return i + outside - o;
        return 65534;
    }

    public static IsleIdMap Parse(string text) => new(text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .Where(f => f.Length == 3)
        .Select(f => (long.Parse(f[0], CultureInfo.InvariantCulture), long.Parse(f[1], CultureInfo.InvariantCulture), long.Parse(f[2], CultureInfo.InvariantCulture)))
        .ToList());

    public static IsleIdMap Identity { get; } = new([(0, 0, uint.MaxValue)]);
}
