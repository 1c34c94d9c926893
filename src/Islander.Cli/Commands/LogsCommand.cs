using System.CommandLine;
using Islander.Cli.Api;

namespace Islander.Cli.Commands;

/// <summary><c>islanderctl logs NAME [-f] [--tail N]</c>: the isle's stdout and stderr, as its shim recorded them.</summary>
public static class LogsCommand
{
    public static Command Create(Option<string?> socket)
    {
        var name = new Argument<string>("name") { Description = "isle name" };
        var follow = new Option<bool>("--follow", "-f") { Description = "keep printing new lines until the isle ends or Ctrl-C" };
        var tail = new Option<int?>("--tail") { Description = "only the last N lines" };
        var command = new Command("logs", "print an isle's log") { name, follow, tail };
        command.SetAction((parse, ct) => ClientCommands.RunAsync(parse, socket, ct, async (client, output, token) =>
        {
            await foreach (var line in client.LogAsync(parse.GetValue(name)!, parse.GetValue(follow), parse.GetValue(tail), token))
            {
                await output.WriteLineAsync(line);
                await output.FlushAsync(token);
            }
            return 0;
        }));
        return command;
    }
}
