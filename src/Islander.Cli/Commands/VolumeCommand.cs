using System.CommandLine;
using Islander.Cli.Completion;

namespace Islander.Cli.Commands;

/// <summary><c>islanderctl volume snapshot|restore NAME SNAPSHOT</c>: a volume's snapshots (drivers btrfs and dir).</summary>
public static class VolumeCommand
{
    public static Command Create(Option<string?> socket)
    {
        var command = new Command("volume", "snapshot and restore named volumes");
        command.Subcommands.Add(Snapshot(socket));
        command.Subcommands.Add(Restore(socket));
        return command;
    }

    static (Argument<string> Name, Argument<string> Snapshot) Arguments(Option<string?> socket)
    {
        var name = new Argument<string>("NAME") { Description = "the volume" };
        Completions.Names(name, socket, "volumes");
        return (name, new Argument<string>("SNAPSHOT") { Description = "the snapshot's name (a DNS label)" });
    }

    static Command Snapshot(Option<string?> socket)
    {
        var (name, snapshot) = Arguments(socket);
        var command = new Command("snapshot", "keep the volume's current content as SNAPSHOT (btrfs: instant; dir: a full copy)") { name, snapshot };
        command.SetAction((parse, ct) => ClientCommands.RunAsync(parse, socket, ct, async (client, output, token) =>
        {
            var status = await client.SnapshotVolumeAsync(parse.GetValue(name)!, parse.GetValue(snapshot)!, token);
            await output.WriteLineAsync(status.Message);
            return 0;
        }));
        return command;
    }

    static Command Restore(Option<string?> socket)
    {
        var (name, snapshot) = Arguments(socket);
        Completions.Snapshots(snapshot, name, socket);
        var command = new Command("restore",
            "replace the volume's content with SNAPSHOT's; the running isles that use it are stopped first and start again (restartPolicy Always)")
            { name, snapshot };
        command.SetAction((parse, ct) => ClientCommands.RunAsync(parse, socket, ct, async (client, output, token) =>
        {
            var status = await client.RestoreVolumeAsync(parse.GetValue(name)!, parse.GetValue(snapshot)!, token);
            await output.WriteLineAsync(status.Message);
            await output.WriteLineAsync(status.Isles is { Count: > 0 } isles
                ? $"restarted isles: {string.Join(", ", isles)}"
                : "restarted isles: none");
            return 0;
        }));
        return command;
    }
}
