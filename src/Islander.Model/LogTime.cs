using System.Globalization;

namespace Islander.Model;

/// <summary>The times of isle logs: RFC 3339 with nanoseconds (as the shim writes them), and the forms --since takes.</summary>
public static class LogTime
{
    public const string SinceForms = "a duration back from now (10m, 1h30m, 90s), an RFC 3339 time (2026-12-05T06:20:00Z) or Unix seconds";

    /// <summary>An RFC 3339 time; fractions past 100 ns (.NET's tick) are cut, not rounded.</summary>
    public static bool TryParse(string text, out DateTimeOffset time)
    {
        var s = text.AsSpan().Trim();
        int dot = s.IndexOf('.');
        if (dot > 0)
        {
            int end = dot + 1;
            while (end < s.Length && char.IsAsciiDigit(s[end])) end++;
            if (end - dot - 1 > 7) s = string.Concat(s[..(dot + 8)], s[end..]);
        }
        // RFC 3339 needs the date, the time and an offset; .NET's parser would also take a bare date or a local time.
        if (s.Length >= 20 && s[10] is 'T' or 't' or ' ' && (s[^1] is 'Z' or 'z' || s[^6] is '+' or '-')
            && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out time))
            return true;
        time = default;
        return false;
    }

    /// <summary>--since and --until: a duration back from <paramref name="now"/>, an RFC 3339 time or Unix seconds (Docker's forms).</summary>
    public static bool TryParseSince(string text, DateTimeOffset now, out DateTimeOffset time)
    {
        if (TryParse(text, out time)) return true;
        if (decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) && seconds < 253402300800m)
        {
            time = DateTimeOffset.UnixEpoch.AddTicks((long)(seconds * TimeSpan.TicksPerSecond));
            return true;
        }
        if (text.Length > 0 && !char.IsAsciiDigit(text[^1]) && Durations.TryParse(text, out var back))
        {
            time = now - back;
            return true;
        }
        time = default;
        return false;
    }

    /// <summary>RFC 3339, UTC, 9 fractional digits (the shim's form: Docker's RFC3339NanoFixed).</summary>
    public static string Format(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'00Z'", CultureInfo.InvariantCulture);
}
