using System.Text.RegularExpressions;

namespace Islander.Model;

/// <summary>
/// Collects the diagnostics of one file: the first <see cref="ManifestLimits.MaxProblems"/>, each with its quoted
/// values and field cut to an excerpt, so that a file of a million mistakes or a 20 MB value makes a short report.
/// </summary>
internal sealed partial class DiagnosticBag(string file)
{
    /// <summary>A message longer than this has its quoted values cut, then itself.</summary>
    const int MaxMessage = 600;

    private readonly List<Diagnostic> _items = [];

    public string File { get; } = file;

    /// <summary>Every problem found, the ones left out of <see cref="Items"/> included (callers compare counts).</summary>
    public int Count { get; private set; }

    public IReadOnlyList<Diagnostic> Items => _items;

    public void Add(Position at, string field, string message)
    {
        Count++;
        if (_items.Count >= ManifestLimits.MaxProblems) return;
        _items.Add(new Diagnostic(File, at.Line, at.Column, ManifestLimits.Excerpt(field, 2 * ManifestLimits.MaxQuote), Shorten(message)));
    }

    /// <summary>The kept diagnostics in file order, and one more that counts the ones left out.</summary>
    public IReadOnlyList<Diagnostic> Sorted()
    {
        var sorted = _items.OrderBy(d => d.Line).ThenBy(d => d.Column).ToList();
        if (Count > _items.Count)
        {
            var last = sorted[^1];
            sorted.Add(new Diagnostic(File, last.Line, last.Column, "",
                $"{Count - _items.Count} more problem(s) not shown (at most {ManifestLimits.MaxProblems} per file); fix these and load the file again"));
        }
        return sorted;
    }

    static string Shorten(string message)
    {
        if (message.Length <= MaxMessage) return message;
        message = LongQuote().Replace(message, m => $"\"{ManifestLimits.Excerpt(m.Groups[1].Value)}\"");
        // A value quoted without quotes ("resync: 1m3[[[[… is not a positive duration; use …") is cut too, so the
        // remedy at the end of the message is not what the cut below loses.
        if (message.Length > MaxMessage) message = LongWord().Replace(message, m => ManifestLimits.Excerpt(m.Value));
        return ManifestLimits.Excerpt(message, MaxMessage);
    }

    [GeneratedRegex("\"([^\"]{121,})\"")]
    private static partial Regex LongQuote();

    [GeneratedRegex(@"\S{121,}")]
    private static partial Regex LongWord();
}
