using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Islander.Model;
using Islander.Model.Api;

namespace Islander.Drivers.Runtime;

/// <summary>
/// Reads back what an isle with <c>logging.driver: journald</c> sent to the journal: <c>journalctl -o json</c> with
/// the match <c>ISLANDER_ISLE=NAME</c> (the field isle-init's shim adds to every entry), read as the json-file
/// entries its lines would have been. journalctl reads the journal's files itself, which no library of .NET does.
/// </summary>
public static class JournalLog
{
    static readonly TimeSpan FollowInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>journald writes what it received a moment later: a follower waits this long after the shim has gone.</summary>
    static readonly TimeSpan FinalWait = TimeSpan.FromMilliseconds(500);

    /// <summary>The journalctl arguments for <paramref name="isle"/>: json, the isle's entries only, <c>-n</c> when no time filter follows.</summary>
    /// <param name="directory">A journal directory other than the system's (<c>--directory</c>), or null.</param>
    public static IReadOnlyList<string> Arguments(string isle, IsleLogQuery query, string? directory)
    {
        var args = new List<string> { "--no-pager", "--quiet", "-o", "json", "--output-fields=MESSAGE,ISLANDER_STREAM,ISLANDER_PARTIAL_MESSAGE" };
        if (directory is not null)
            args.AddRange(["--directory", directory]);
        // With a time filter, the tail is of the entries it keeps, so it is taken here, not by journalctl.
        if (query.Tail is { } n && query.Since is null && query.Until is null)
            args.AddRange(["-n", n.ToString(CultureInfo.InvariantCulture)]);
        else if (query.Follow)
            args.AddRange(["-n", "all"]); // -f alone starts at the last 10
        if (query.Follow)
            args.Add("-f");
        args.Add("ISLANDER_ISLE=" + isle);
        return args;
    }

    /// <summary>
    /// The isle's journal entries <paramref name="query"/> asks for; with <see cref="IsleLogQuery.Follow"/> new ones until
    /// <paramref name="writing"/> says the shim is gone (and a moment more), or the caller cancels.
    /// </summary>
    /// <exception cref="Islander.Model.IslanderException">Unsupported: no journalctl on this host.</exception>
    public static async IAsyncEnumerable<LogEntryView> ReadAsync(string isle, IsleLogQuery query, Func<bool> writing, string? directory,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var info = new ProcessStartInfo("journalctl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in Arguments(isle, query, directory))
            info.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (Win32Exception e)
        {
            throw new IslanderException($"isle {isle} logs to the journal, and journalctl, which reads it, cannot be run here: {e.Message}", ErrorCategory.Unsupported);
        }
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var watcher = query.Follow ? WatchAsync(writing, stop) : Task.CompletedTask;
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        var tail = new Queue<LogEntryView>();
        try
        {
            while (await ReadLineAsync(process.StandardOutput, stop.Token) is { } line)
            {
                if (Parse(line) is not { } entry || (query.Since is not null || query.Until is not null) && !(LogTime.TryParse(entry.Time, out var t) && query.Includes(t)))
                    continue;
                if (query.Tail is { } n && (query.Since is not null || query.Until is not null))
                {
                    tail.Enqueue(entry);
                    if (tail.Count > n) tail.Dequeue();
                }
                else
                {
                    yield return entry;
                }
            }
            foreach (var e in tail)
                yield return e;
        }
        finally
        {
            if (!process.HasExited)
                process.Kill();
            await process.WaitForExitAsync(CancellationToken.None);
            await stop.CancelAsync();
            await watcher;
            process.Dispose();
        }
        await stderr; // drained so journalctl never blocks on it; "no entries" is no error here
        ct.ThrowIfCancellationRequested();
    }

    /// <summary>Whether journalctl is on the PATH (the daemon says what to do instead when it is not).</summary>
    public static bool Available() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':').Any(d => d.Length > 0 && File.Exists(Path.Combine(d, "journalctl")));

    /// <summary>Ends a follow (cancels <paramref name="stop"/>) once the shim is gone and the journal has had a moment.</summary>
    static async Task WatchAsync(Func<bool> writing, CancellationTokenSource stop)
    {
        try
        {
            while (writing())
                await Task.Delay(FollowInterval, stop.Token);
            await Task.Delay(FinalWait, stop.Token);
            await stop.CancelAsync();
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    static async Task<string?> ReadLineAsync(StreamReader reader, CancellationToken ct)
    {
        try
        {
            return await reader.ReadLineAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return null; // the follow ended (the caller's own cancellation is checked after)
        }
    }

    /// <summary>One line of <c>journalctl -o json</c>; a MESSAGE that is not UTF-8 text comes as an array of bytes.</summary>
    public static LogEntryView? Parse(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            if (!root.TryGetProperty("MESSAGE", out var message) || !root.TryGetProperty("__REALTIME_TIMESTAMP", out var realtime)
                || !long.TryParse(realtime.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var micros))
                return null;
            string text = message.ValueKind == JsonValueKind.Array
                ? Encoding.UTF8.GetString(message.EnumerateArray().Select(b => (byte)b.GetInt32()).ToArray())
                : message.GetString() ?? "";
            bool partial = root.TryGetProperty("ISLANDER_PARTIAL_MESSAGE", out var p) && p.GetString() == "true";
            string stream = root.TryGetProperty("ISLANDER_STREAM", out var s) && s.GetString() == "stderr" ? "stderr" : "stdout";
            return new LogEntryView(partial ? text : text + "\n", stream, LogTime.Format(DateTimeOffset.UnixEpoch.AddTicks(micros * 10)));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}
