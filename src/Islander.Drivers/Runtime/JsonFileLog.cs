using System.Runtime.CompilerServices;
using System.Text.Json;
using Islander.Drivers.Interop;
using Islander.Model;
using Islander.Model.Api;

namespace Islander.Drivers.Runtime;

/// <summary>
/// Reads an isle's log in Docker's json-file format as isle-init's shim writes it (<c>copy_output</c> in isle-init.c):
/// log.json and the files rotation made of it, log.json.1 (the newest of them) to log.json.N (the oldest). A line that
/// is not a whole entry (the end of a file still being written, an entry cut short by a full disk) is not an entry.
/// An isle started by a shim of an earlier release writes plain text to <c>log</c> instead (stdout and stderr as one):
/// its lines come first, as stdout, each with the file's last-write time, since the text records none of its own.
/// </summary>
public static class JsonFileLog
{
    /// <summary>How often a follower looks for new entries, a rotation and the writer's end (tail -f's polling).</summary>
    static readonly TimeSpan FollowInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The entries <paramref name="query"/> asks for, oldest first, across the rotated files; with
    /// <see cref="IsleLogQuery.Follow"/> then each new one, across rotations (the reader notices that log.json was
    /// renamed, reads the rest of the file it had open, then the new log.json from its start), until
    /// <paramref name="writing"/> says the shim is gone and what it wrote has been read. <paramref name="legacyPath"/>:
    /// the plain-text log of an earlier release's shim (<see cref="RuntimePaths.LegacyLogFile"/>), read before log.json
    /// and followed too, since an isle adopted from that release still has that shim writing it until it restarts.
    /// <paramref name="writerExited"/>, when given, completes when the writer has exited: a follower then takes its
    /// last look at once instead of at its next poll (up to <see cref="FollowInterval"/> later, half of it on average:
    /// most of the time between a one-shot isle's end and the end of <c>islanderctl run</c>).
    /// </summary>
    public static async IAsyncEnumerable<LogEntryView> ReadAsync(string path, IsleLogQuery query, Func<bool> writing,
        [EnumeratorCancellation] CancellationToken ct, string? legacyPath = null, Task? writerExited = null)
    {
        var legacy = legacyPath is null ? null : Open(legacyPath) is { } l ? new LineReader(l.Stream) : null;
        var files = OpenAll(path);
        LineReader? current = null;
        ulong currentInode = 0;
        try
        {
            var tail = new Queue<LogEntryView>();
            if (legacy is not null)
                foreach (var e in DrainText(legacy, query, rest: !query.Follow || !writing()))
                {
                    if (query.Tail is not { } n)
                        yield return e;
                    else if (n > 0)
                    {
                        tail.Enqueue(e);
                        if (tail.Count > n) tail.Dequeue();
                    }
                }
            for (int i = 0; i < files.Count; i++)
            {
                var reader = new LineReader(files[i].Stream);
                foreach (var e in Drain(reader, query))
                {
                    if (query.Tail is not { } n)
                        yield return e;
                    else if (n > 0)
                    {
                        tail.Enqueue(e);
                        if (tail.Count > n) tail.Dequeue();
                    }
                }
                if (i == files.Count - 1)
                    (current, currentInode) = (reader, files[i].Inode);
                else
                    files[i].Stream.Dispose();
            }
            files.Clear();
            foreach (var e in tail)
                yield return e;
            if (!query.Follow)
                yield break;

            bool lastLook = false;
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                if (legacy is not null)
                    foreach (var e in DrainText(legacy, query, rest: lastLook))
                        yield return e;
                if (current is not null)
                    foreach (var e in Drain(current, query))
                        yield return e;
                ulong inode = FileSystemInterop.InodeNumber(path);
                if (inode != 0 && inode != currentInode)
                {
                    // Rotated (or made): everything written to the old file was written before the rename, which came
                    // before this look, so one more drain reads all of it.
                    if (current is not null)
                    {
                        foreach (var e in Drain(current, query))
                            yield return e;
                        current.Stream.Dispose();
                        current = null;
                    }
                    if (Open(path) is { } opened)
                        (current, currentInode) = (new LineReader(opened.Stream), opened.Inode);
                    continue;
                }
                if (lastLook || query.Until is { } until && DateTimeOffset.UtcNow > until)
                    yield break;
                // The shim drains the isle's pipes before it exits: once it is gone, one more look reads the rest.
                lastLook = !writing();
                if (!lastLook)
                    await PauseAsync(writerExited, ct);
            }
        }
        finally
        {
            legacy?.Stream.Dispose();
            current?.Stream.Dispose();
            foreach (var (stream, _) in files)
                stream.Dispose();
        }
    }

    /// <summary>Until the next look: <see cref="FollowInterval"/>, or less when <paramref name="writerExited"/> completes first.</summary>
    static async Task PauseAsync(Task? writerExited, CancellationToken ct)
    {
        if (writerExited is null || writerExited.IsCompleted)
        {
            await Task.Delay(FollowInterval, ct);
            return;
        }
        using var cut = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var delay = Task.Delay(FollowInterval, cut.Token);
        await Task.WhenAny(writerExited, delay);
        await cut.CancelAsync(); // the timer, when the writer's exit came first
    }

    /// <summary>Every entry of the log at <paramref name="path"/> as it is now, oldest first.</summary>
    public static IReadOnlyList<LogEntryView> ReadAll(string path)
    {
        var entries = new List<LogEntryView>();
        foreach (var (stream, _) in OpenAll(path))
            using (stream)
                entries.AddRange(Drain(new LineReader(stream), new IsleLogQuery()));
        return entries;
    }

    /// <summary>
    /// The files of the log, oldest first. Opened newest first, so that a rotation meanwhile shows a file twice
    /// (skipped: same inode) rather than hides one; a name missing for a moment during a rotation is passed over.
    /// </summary>
    static List<(FileStream Stream, ulong Inode)> OpenAll(string path)
    {
        var opened = new List<(FileStream Stream, ulong Inode)>();
        var seen = new HashSet<ulong>();
        for (int i = 0; i < IsleLogging.MaximumMaxFiles; i++)
        {
            if (Open(i == 0 ? path : $"{path}.{i}") is not { } file)
                continue;
            if (seen.Add(file.Inode))
                opened.Add(file);
            else
                file.Stream.Dispose();
        }
        opened.Reverse();
        return opened;
    }

    static (FileStream Stream, ulong Inode)? Open(string file)
    {
        // Most of the names OpenAll tries do not exist (an isle keeps a few files of up to 100): a stat each, rather
        // than a FileNotFoundException each, which cost every log request about a hundred thrown exceptions.
        if (!File.Exists(file))
            return null;
        FileStream stream;
        try
        {
            stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.None);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        return (stream, FileSystemInterop.InodeNumber(stream.SafeFileHandle));
    }

    static IEnumerable<LogEntryView> Drain(LineReader reader, IsleLogQuery query)
    {
        while (reader.Next() is { } line)
            if (Parse(line.Span) is { } e && (query.Since is null && query.Until is null || LogTime.TryParse(e.Time, out var t) && query.Includes(t)))
                yield return e;
    }

    /// <summary>
    /// The whole lines of an earlier release's plain-text log as stdout entries, timed by the file's last write (the
    /// text has no times: --since/--until take each line as written then); with <paramref name="rest"/> also a last
    /// line without its newline, once nothing more will be written to it.
    /// </summary>
    static IEnumerable<LogEntryView> DrainText(LineReader reader, IsleLogQuery query, bool rest)
    {
        var written = new DateTimeOffset(File.GetLastWriteTimeUtc(reader.Stream.SafeFileHandle), TimeSpan.Zero);
        if (!query.Includes(written))
        {
            while (reader.Next() is not null) { } // read past, so a follower does not take them up later
            if (rest) reader.Rest();
            yield break;
        }
        string time = LogTime.Format(written);
        while (reader.Next() is { } line)
            yield return new LogEntryView(System.Text.Encoding.UTF8.GetString(line.Span) + "\n", "stdout", time);
        if (rest && reader.Rest() is { } last)
            yield return new LogEntryView(System.Text.Encoding.UTF8.GetString(last.Span), "stdout", time);
    }

    /// <summary>One json-file line; null when it is not a whole entry.</summary>
    public static LogEntryView? Parse(ReadOnlySpan<byte> line)
    {
        string? log = null, stream = null, time = null;
        var r = new Utf8JsonReader(line);
        try
        {
            if (!r.Read() || r.TokenType != JsonTokenType.StartObject)
                return null;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                int which = r.ValueTextEquals("log"u8) ? 0 : r.ValueTextEquals("stream"u8) ? 1 : r.ValueTextEquals("time"u8) ? 2 : -1;
                r.Read();
                if (which < 0 || r.TokenType != JsonTokenType.String)
                {
                    r.Skip();
                    continue;
                }
                var value = r.GetString();
                if (which == 0) log = value;
                else if (which == 1) stream = value;
                else time = value;
            }
            if (r.TokenType != JsonTokenType.EndObject)
                return null;
        }
        catch (JsonException)
        {
            return null;
        }
        return log is null || stream is null || time is null ? null : new LogEntryView(log, stream, time);
    }

    /// <summary>Whole lines of a file that may still be growing: a line without its newline yet is kept for the next call.</summary>
    sealed class LineReader(FileStream stream)
    {
        /// <summary>Longer than any entry the shim writes (about 96 KiB at most): anything longer is dropped.</summary>
        const int MaxLine = 1 << 20;

        byte[] _buffer = new byte[64 * 1024];
        int _start, _end;

        public FileStream Stream => stream;

        /// <summary>What is left after the last whole line (a last line without its newline), once; null when nothing.</summary>
        public ReadOnlyMemory<byte>? Rest()
        {
            if (_end == _start)
                return null;
            var rest = _buffer.AsMemory(_start, _end - _start);
            _start = _end;
            return rest;
        }

        /// <summary>The next whole line, without its newline, valid until the next call; null when the file holds no more now.</summary>
        public ReadOnlyMemory<byte>? Next()
        {
            while (true)
            {
                int nl = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                if (nl >= 0)
                {
                    var line = _buffer.AsMemory(_start, nl - _start);
                    _start = nl + 1;
                    return line;
                }
                if (_end - _start >= MaxLine)
                    _start = _end; // not an entry of ours: dropped up to its newline
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                (_end, _start) = (_end - _start, 0);
                if (_end == _buffer.Length)
                    Array.Resize(ref _buffer, _buffer.Length * 2);
                int n = stream.Read(_buffer, _end, _buffer.Length - _end);
                if (n == 0)
                    return null;
                _end += n;
            }
        }
    }
}
