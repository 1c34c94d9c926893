using System.CommandLine;
using Islander.Cli.Completion;
using System.CommandLine.Parsing;
using Islander.Cli.Api;
using Islander.Model;
using Islander.Model.Api;

namespace Islander.Cli.Commands;

/// <summary>
/// <c>islanderctl logs NAME [-f] [--tail N] [--since T] [--until T] [--timestamps]</c>: the isle's stdout on stdout and
/// its stderr on stderr, as its shim recorded them, as <c>docker logs</c>.
/// </summary>
public static class LogsCommand
{
    public static Command Create(Option<string?> socket)
    {
        var name = new Argument<string>("name") { Description = "isle name" };
        var follow = new Option<bool>("--follow", "-f") { Description = "keep printing new lines until the isle ends or Ctrl-C" };
        var tail = new Option<string?>("--tail", "-n") { Description = "only the last N lines (all: every line, the default)" };
        tail.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } text && !TryParseTail(text, out _))
                result.AddError($"--tail takes a number of lines (0 or more) or all, not \"{ManifestLimits.Excerpt(text, 40)}\"");
        });
        var since = TimeOption("--since", "only lines from this time on: 10m (ago), an RFC 3339 time, or Unix seconds");
        var until = TimeOption("--until", "only lines up to this time: 10m (ago), an RFC 3339 time, or Unix seconds");
        var timestamps = new Option<bool>("--timestamps", "-t") { Description = "start each line with the time the isle wrote it (RFC 3339, ns)" };
        var command = new Command("logs", "print an isle's log: its stdout on stdout, its stderr on stderr") { name, follow, tail, since, until, timestamps };
        Completions.Names(name, socket, "isles");
        command.SetAction((parse, ct) => ClientCommands.RunAsync(parse, socket, ct, async (client, output, token) =>
        {
            var now = DateTimeOffset.UtcNow;
            var query = new IsleLogQuery(TryParseTail(parse.GetValue(tail), out var n) ? n : null,
                Time(parse.GetValue(since), now), Time(parse.GetValue(until), now), parse.GetValue(follow));
            var error = parse.InvocationConfiguration.Error;
            await foreach (var entry in client.LogAsync(parse.GetValue(name)!, query, token))
                await WriteAsync(entry, entry.Stream == "stderr" ? error : output, parse.GetValue(timestamps), token);
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// One entry as the isle wrote it: a line with its newline, or a part of one without (split at 16 KiB, or its
    /// last line had none), which the next part continues. With <paramref name="timestamps"/>, Docker's prefix.
    /// </summary>
    internal static async Task WriteAsync(LogEntryView entry, TextWriter to, bool timestamps, CancellationToken ct)
    {
        if (timestamps)
            await to.WriteAsync(entry.Time + " ");
        await to.WriteAsync(entry.Log);
        await to.FlushAsync(ct);
    }

    static Option<string?> TimeOption(string name, string description)
    {
        var option = new Option<string?>(name) { Description = description };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } text && !LogTime.TryParseSince(text, DateTimeOffset.UtcNow, out _))
                result.AddError($"{name} takes {LogTime.SinceForms}, not \"{ManifestLimits.Excerpt(text, 40)}\"");
        });
        return option;
    }

    static DateTimeOffset? Time(string? text, DateTimeOffset now) =>
        text is not null && LogTime.TryParseSince(text, now, out var t) ? t : null;

    /// <summary>
    /// A count of lines, or <c>all</c> as Docker takes it (null: every line). A count beyond what an int holds is
    /// every line too: the default parser answered <c>99999999999</c> with a .NET type name.
    /// </summary>
    static bool TryParseTail(string? text, out int? lines)
    {
        lines = null;
        if (text is null or "all") return true;
        if (text.Length == 0 || !text.All(char.IsAsciiDigit)) return false;
        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)) lines = n;
        return true;
    }
}
