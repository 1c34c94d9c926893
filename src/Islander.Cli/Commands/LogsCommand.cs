using System.CommandLine;
using Islander.Cli.Completion;
using System.CommandLine.Parsing;
using Islander.Cli.Api;
using Islander.Model;
using Islander.Model.Api;

namespace Islander.Cli.Commands;

/// <summary>
/// <c>islanderctl logs NAME|-l SELECTOR [-f] [--tail N] [--since T] [--until T] [--timestamps]</c>: the isle's stdout on
/// stdout and its stderr on stderr, as its shim recorded them, as <c>docker logs</c>. With <c>-l</c>, the log of each isle
/// islanderd selects, every line after <c>[NAME] </c> (kubectl logs -l --prefix): one isle after the other, or with
/// <c>-f</c> all at once, merged line by line as they come.
/// </summary>
public static class LogsCommand
{
    public static Command Create(Option<string?> socket)
    {
        var name = new Argument<string?>("name") { Description = "isle name (or -l)", Arity = ArgumentArity.ZeroOrOne };
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
        var selector = SelectorOption.Create(socket, _ => ["isles"]);
        var command = new Command("logs", "print an isle's log: its stdout on stdout, its stderr on stderr") { name, follow, tail, since, until, timestamps, selector };
        Completions.Names(name, socket, "isles");
        command.SetAction((parse, ct) => ClientCommands.RunAsync(parse, socket, ct, async (client, output, token) =>
        {
            var now = DateTimeOffset.UtcNow;
            var query = new IsleLogQuery(TryParseTail(parse.GetValue(tail), out var n) ? n : null,
                Time(parse.GetValue(since), now), Time(parse.GetValue(until), now), parse.GetValue(follow));
            var error = parse.InvocationConfiguration.Error;
            var (one, labels) = (parse.GetValue(name), parse.GetValue(selector));
            if (one is not null && labels is not null)
                throw new ClientException($"-l selects the isles whose log to print: give the isle's name ({one}) or -l, not both", "BadRequest");
            if (labels is not null)
                return await SelectedAsync(client, labels, query, output, error, parse.GetValue(timestamps), token);
            if (one is null) throw new ClientException("logs needs an isle's name (logs NAME) or a selector (logs -l app=web)", "BadRequest");
            await foreach (var entry in client.LogAsync(one, query, token))
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

    /// <summary>
    /// <c>logs -l</c>: the selected isles' logs, each line after <c>[NAME] </c>, stdout on stdout and stderr on stderr.
    /// Without -f one isle after the other (by name); with -f every isle's stream at once, until the last ends or Ctrl-C.
    /// An isle deleted between the listing and its log is left out; another error is printed and makes the exit 1.
    /// </summary>
    static async Task<int> SelectedAsync(IslanderClient client, string labels, IsleLogQuery query, TextWriter output, TextWriter error,
        bool timestamps, CancellationToken ct)
    {
        var isles = (await client.ListAsync("isles", labels, ct)).Select(o => o.Metadata.Name).Order(StringComparer.Ordinal).ToList();
        if (isles.Count == 0)
        {
            await error.WriteLineAsync("No isles found.");
            return 0;
        }
        var writer = new PrefixedLogWriter(output, error, timestamps);
        int exit = 0;
        async Task OneAsync(string isle)
        {
            try
            {
                await foreach (var entry in client.LogAsync(isle, query, ct)) await writer.WriteAsync(isle, entry, ct);
            }
            catch (ClientException e) when (e.Reason == "NotFound")
            {
                // Deleted since the listing: it has no log to show, as if the selector had not picked it.
            }
            catch (ClientException e)
            {
                exit = 1;
                await writer.ErrorAsync($"error: [{isle}] {e.Message}", ct);
            }
            finally
            {
                await writer.EndAsync(isle, ct);
            }
        }
        if (query.Follow) await Task.WhenAll(isles.Select(OneAsync));
        else foreach (var isle in isles) await OneAsync(isle);
        return exit;
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
