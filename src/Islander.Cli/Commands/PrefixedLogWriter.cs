using Islander.Model.Api;

namespace Islander.Cli.Commands;

/// <summary>
/// The lines of several isles' logs on one stdout and one stderr, each after <c>[NAME] </c> (and its time with
/// --timestamps), as <c>kubectl logs -l --prefix</c>. A line is written whole, under a lock, so the isles' lines never
/// mix within a line when followed at once: parts of a line (the shim splits a long one at 16 KiB) wait for the rest,
/// and a last line without a newline is ended with one when its isle's stream ends, so the next isle's line starts a
/// line of its own.
/// </summary>
sealed class PrefixedLogWriter(TextWriter output, TextWriter error, bool timestamps)
{
    readonly SemaphoreSlim _lock = new(1, 1);
    readonly Dictionary<(string Isle, string Stream), (string Time, System.Text.StringBuilder Text)> _partial = new();

    public async Task WriteAsync(string isle, LogEntryView entry, CancellationToken ct)
    {
        var key = (isle, entry.Stream);
        string? line;
        lock (_partial)
        {
            if (!_partial.TryGetValue(key, out var part)) _partial[key] = part = (entry.Time, new System.Text.StringBuilder());
            part.Text.Append(entry.Log);
            if (!entry.Log.EndsWith('\n')) return;
            line = Line(isle, part.Time, part.Text.ToString());
            _partial.Remove(key);
        }
        await WriteLineAsync(entry.Stream == "stderr" ? error : output, line, ct);
    }

    /// <summary>The isle's stream has ended: what it left without a newline is written, ended with one.</summary>
    public async Task EndAsync(string isle, CancellationToken ct)
    {
        List<(string Stream, string Line)> rest;
        lock (_partial)
        {
            rest = [.. _partial.Where(p => p.Key.Isle == isle).Select(p => (p.Key.Stream, Line(isle, p.Value.Time, p.Value.Text + "\n")))];
            foreach (var (stream, _) in rest) _partial.Remove((isle, stream));
        }
        foreach (var (stream, line) in rest) await WriteLineAsync(stream == "stderr" ? error : output, line, ct);
    }

    public Task ErrorAsync(string message, CancellationToken ct) => WriteLineAsync(error, message + "\n", ct);

    string Line(string isle, string time, string text) => timestamps ? $"[{isle}] {time} {text}" : $"[{isle}] {text}";

    async Task WriteLineAsync(TextWriter to, string line, CancellationToken ct)
    {
        await _lock.WaitAsync(ct);
        try
        {
            await to.WriteAsync(line);
            await to.FlushAsync(ct);
        }
        finally
        {
            _lock.Release();
        }
    }
}
