using System.CommandLine;
using Islander.Cli.Api;

namespace Islander.Cli.Commands;

/// <summary>
/// <c>islanderctl events [-w] [-l SELECTOR]</c>: what islanderd did and saw, oldest first; -w keeps streaming; -l only
/// the events of the objects whose labels match (islanderd selects by each object's labels now).
/// </summary>
public static class EventsCommand
{
    public static Command Create(Option<string?> socket)
    {
        var watch = new Option<bool>("--watch", "-w") { Description = "after the recorded events, print new ones as they happen" };
        var selector = SelectorOption.Create(socket, _ => IslanderClient.Plurals);
        var command = new Command("events", "list events") { watch, selector };
        command.SetAction((parse, ct) => ClientCommands.RunAsync(parse, socket, ct, async (client, output, token) =>
        {
            if (!parse.GetValue(watch))
            {
                var table = new Table("TIME", "TYPE", "REASON", "OBJECT", "MESSAGE");
                foreach (var e in await client.EventsAsync(token, parse.GetValue(selector))) table.Add(e.Time.ToLocalTime().ToString("HH:mm:ss"), e.Type, e.Reason, $"{e.Kind.ToLowerInvariant()}/{e.Name}", e.Message);
                await table.WriteAsync(output);
                return 0;
            }
            await foreach (var e in client.WatchEventsAsync(token, parse.GetValue(selector)))
            {
                await output.WriteLineAsync($"{e.Time.ToLocalTime():HH:mm:ss}   {e.Type,-7}   {e.Reason,-16}   {e.Kind.ToLowerInvariant()}/{e.Name}   {e.Message}");
                await output.FlushAsync(token);
            }
            return 0;
        }));
        return command;
    }
}
