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
/// </summary>
public static class JsonFileLog
{
    /// <summary>How often a follower looks for new entries, a rotation and the writer's end (tail -f's polling).</summary>
    static readonly TimeSpan FollowInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The entries <paramref name="query"/> asks for, oldest first, across the rotated files; with
    /// <see cref="IsleLogQuery.Follow"/> then each new one, across rotations (the reader notices that log.json was
    /// renamed, reads the rest of the file it had open, then the new log.json from its start), until
    /// <paramref name="writing"/> says the shim is gone and what it wrote has been read.
    /// </summary>
    public static async IAsyncEnumerable<LogEntryView> ReadAsync(string path, IsleLogQuery query, Func<bool> writing,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var files = OpenAll(path);
        LineReader? current = null;
        ulong currentInode = 0;
        try
        {
            var tail = new Queue<LogEntryView>();
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
                    await Task.Delay(FollowInterval, ct);
            }
        }
        finally
        {
            current?.Stream.Dispose();
            foreach (var (stream, _) in files)
                stream.Dispose();
        }
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
