using System.CommandLine;
using Islander.Cli.Completion;
using Islander.Cli.Api;

namespace Islander.Cli.Commands;

/// <summary><c>islanderctl logs NAME [-f] [--tail N]</c>: the isle's stdout and stderr, as its shim recorded them.</summary>
public static class LogsCommand
{
    public static Command Create(Option<string?> socket)
    {
        var name = new Argument<string>("name") { Description = "isle name" };
        var follow = new Option<bool>("--follow", "-f") { Description = "keep printing new lines until the isle ends or Ctrl-C" };
        var tail = new Option<string?>("--tail") { Description = "only the last N lines (all: every line, the default)" };
        tail.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } text && !TryParseTail(text, out _))
                result.AddError($"--tail takes a number of lines (0 or more) or all, not \"{Islander.Model.ManifestLimits.Excerpt(text, 40)}\"");
        });
        var command = new Command("logs", "print an isle's log") { name, follow, tail };
        Completions.Names(name, socket, "isles");
        command.SetAction((parse, ct) => ClientCommands.RunAsync(parse, socket, ct, async (client, output, token) =>
        {
            await foreach (var line in client.LogAsync(parse.GetValue(name)!, parse.GetValue(follow), TryParseTail(parse.GetValue(tail), out var n) ? n : null, token))
            {
                await output.WriteLineAsync(line);
                await output.FlushAsync(token);
            }
            return 0;
        }));
        return command;
    }

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
