namespace Islander.Cli.Commands;

/// <summary>kubectl's plain table: upper-case headers, columns padded to the widest cell, three spaces apart.</summary>
sealed class Table(params string[] headers)
{
    readonly List<string[]> _rows = [headers];

    public void Add(params string?[] cells) => _rows.Add(cells.Select(c => string.IsNullOrEmpty(c) ? "<none>" : c).ToArray());

    /// <summary>The widths of the columns as <see cref="WriteAsync"/> pads them.</summary>
    public int[] Widths => [.. Enumerable.Range(0, headers.Length).Select(i => _rows.Max(r => r[i].Length))];

    public async Task WriteAsync(TextWriter output)
    {
        var widths = Widths;
        foreach (var row in _rows) await output.WriteLineAsync(Line(row, widths));
    }

    /// <summary>
    /// The last row alone, padded to <paramref name="widths"/> where it fits (a watch's line under the table it printed
    /// first, as kubectl get -w prints one).
    /// </summary>
    public string LastRow(int[] widths) => Line(_rows[^1], [.. Widths.Zip(widths, Math.Max)]);

    static string Line(string[] row, int[] widths) =>
        string.Join("   ", row.Select((c, i) => i == row.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd();

    /// <summary>kubectl's age: 45s, 3m, 5h, 2d.</summary>
    public static string Age(DateTimeOffset? since, DateTimeOffset? now = null)
    {
        if (since is not { } s) return "";
        var t = (now ?? DateTimeOffset.UtcNow) - s;
        return t.TotalSeconds < 120 ? $"{Math.Max(0, (int)t.TotalSeconds)}s"
            : t.TotalMinutes < 120 ? $"{(int)t.TotalMinutes}m"
            : t.TotalHours < 48 ? $"{(int)t.TotalHours}h"
            : $"{(int)t.TotalDays}d";
    }
}
