namespace Islander.Model;

/// <summary>"did you mean …?" for misspelt field names and enum values.</summary>
internal static class Suggest
{
    /// <summary>The option closest to <paramref name="given"/> (same letters ignoring case, or at most 2 edits away), or null.</summary>
    public static string? Closest(string given, IEnumerable<string> options)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var option in options)
        {
            if (string.Equals(option, given, StringComparison.OrdinalIgnoreCase)) return option;
            var distance = Distance(given.ToLowerInvariant(), option.ToLowerInvariant());
            if (distance < bestDistance)
            {
                best = option;
                bestDistance = distance;
            }
        }
        return bestDistance <= Math.Min(2, given.Length / 2) ? best : null;
    }

    public static string DidYouMean(string given, IEnumerable<string> options) =>
        Closest(given, options) is { } s ? $"; did you mean {s}?" : "";

    private static int Distance(string a, string b)
    {
        var row = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) row[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            var diagonal = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }
}
