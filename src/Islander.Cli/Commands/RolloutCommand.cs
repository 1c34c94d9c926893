using System.CommandLine;
using System.Globalization;
using Islander.Cli.Api;
using Islander.Cli.Completion;

namespace Islander.Cli.Commands;

/// <summary>
/// <c>islanderctl rollout history NAME [--revision N] [-o table|json]</c> and <c>rollout undo NAME [--to-revision N]</c>:
/// an isle's revisions (kubectl rollout's verbs).
/// </summary>
public static class RolloutCommand
{
    public static Command Create(Option<string?> socket)
    {
        var command = new Command("rollout", "an isle's revisions: history, and undo to an earlier one");
        command.Subcommands.Add(History(socket));
        command.Subcommands.Add(Undo(socket));
        return command;
    }

    static Argument<string> Name(Option<string?> socket)
    {
        var name = new Argument<string>("NAME") { Description = "the isle" };
        Completions.Names(name, socket, "isles");
        return name;
    }

    static Command History(Option<string?> socket)
    {
        var name = Name(socket);
        var revision = new Option<int?>("--revision") { Description = "print this revision's spec (YAML), as rollout undo --to-revision would apply it" };
        var output = new Option<string>("--output", "-o") { Description = "table (default) or json, the API's RolloutList", DefaultValueFactory = _ => "table" };
        output.AcceptOnlyFromAmong("table", "json");
        Completions.Revisions(revision, name, socket);
        var command = new Command("history", "list the isle's revisions: generation, when, result (Complete, RolledBack, ...) and what changed")
            { name, revision, output };
        command.SetAction((parse, ct) => ClientCommands.RunAsync(parse, socket, ct, async (client, writer, token) =>
        {
            var isle = parse.GetValue(name)!;
            if (parse.GetValue(output) == "json")
            {
                await writer.WriteLineAsync(await client.RolloutHistoryRawAsync(isle, token));
                return 0;
            }
            var history = await client.RolloutHistoryAsync(isle, token);
            if (parse.GetValue(revision) is { } wanted)
            {
                var item = history.Items.FirstOrDefault(i => i.Revision == wanted)
                    ?? throw new ClientException($"isle {isle} has no revision {wanted}; its revisions: {string.Join(", ", history.Items.Select(i => i.Revision))}", "NotFound");
                await writer.WriteAsync(JsonYaml.Write(item.Spec));
                return 0;
            }
            var table = new Table("REVISION", "GENERATION", "STARTED", "RESULT", "CHANGE-CAUSE");
            foreach (var i in history.Items)
            {
                var result = i.Result + (i.Reason is { } reason ? $" ({reason})" : "") + (i.Current ? " *" : "");
                table.Add(i.Revision.ToString(CultureInfo.InvariantCulture), i.Generation.ToString(CultureInfo.InvariantCulture),
                    i.StartedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), result, i.ChangeCause);
            }
            await table.WriteAsync(writer);
            return 0;
        }));
        return command;
    }

    static Command Undo(Option<string?> socket)
    {
        var name = Name(socket);
        var to = new Option<int?>("--to-revision") { Description = "the revision to go back to (default: the last good one before the desired spec)" };
        Completions.Revisions(to, name, socket);
        var command = new Command("undo",
            "apply an earlier revision's spec to an isle applied through the API (a file's or source's isle: edit or revert its manifest)") { name, to };
        command.SetAction((parse, ct) => ClientCommands.RunAsync(parse, socket, ct, async (client, writer, token) =>
        {
            var status = await client.RolloutUndoAsync(parse.GetValue(name)!, parse.GetValue(to), token);
            await writer.WriteLineAsync(status.Message);
            return 0;
        }));
        return command;
    }
}
