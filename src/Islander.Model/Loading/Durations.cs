using System.Globalization;
using System.Text.RegularExpressions;

namespace Islander.Model;

/// <summary>Durations as whole seconds (<c>10</c>) or Go's form (<c>10s</c>, <c>1m30s</c>, <c>500ms</c>, <c>1h</c>), as Docker takes them.</summary>
public static partial class Durations
{
    public const string Forms = "use seconds such as 10, or a duration such as 10s, 1m30s or 500ms";

    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var s = text.Trim();
        if (long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            if (seconds > 10L * 365 * 24 * 3600) return false;
            duration = TimeSpan.FromSeconds(seconds);
            return true;
        }
        var match = GoDuration().Match(s);
        if (!match.Success || s.Length == 0) return false;
        double total = 0;
        foreach (Capture part in match.Groups["part"].Captures)
        {
            var p = PartRegex().Match(part.Value);
            var value = double.Parse(p.Groups[1].Value, CultureInfo.InvariantCulture);
            total += p.Groups[2].Value switch
            {
                "h" => value * 3600_000,
                "m" => value * 60_000,
                "s" => value * 1000,
                "ms" => value,
                "us" or "µs" => value / 1000,
                _ => value / 1_000_000,
            };
        }
        if (total > 10.0 * 365 * 24 * 3600_000) return false;
        duration = TimeSpan.FromMilliseconds(total);
        return true;
    }

    /// <summary>Go's form as a pattern, for <see cref="ManifestSchema"/>.</summary>
    internal static string GoPattern => GoDuration().ToString();

    [GeneratedRegex(@"^(?<part>[0-9]+(?:\.[0-9]+)?(?:h|ms|m|s|us|µs|ns))+$")]
    private static partial Regex GoDuration();

    [GeneratedRegex(@"^([0-9]+(?:\.[0-9]+)?)(h|ms|m|s|us|µs|ns)$")]
    private static partial Regex PartRegex();
}
