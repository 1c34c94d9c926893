using System.CommandLine;
using System.Globalization;
using Islander.Cli.Completion;

namespace Islander.Cli.Commands;

/// <summary>
/// <c>islanderctl top NAME</c>: the isle's processes as <c>ps</c> inside it shows them (PID inside the isle, its user
/// there, the command) with each one's host PID (docker top's column), read by the daemon from /proc for the pids in
/// the isle's cgroup: no exec, so a paused isle or one without ps answers too.
/// </summary>
public static class TopCommand
{
    public static Command Create(Option<string?> socket)
    {
        var name = new Argument<string>("name") { Description = "a running isle" };
        var command = new Command("top", "list the processes of a running isle") { name };
        Completions.Names(name, socket, "isles", o => o.Status.Phase is "Running" or "Paused");
        command.SetAction((parse, ct) => ClientCommands.RunAsync(parse, socket, ct, async (client, output, token) =>
        {
            var list = await client.TopAsync(parse.GetValue(name)!, token);
            var table = new Table("PID", "HOST PID", "USER", "COMMAND");
            foreach (var p in list.Items)
                table.Add(p.Pid.ToString(CultureInfo.InvariantCulture), p.HostPid.ToString(CultureInfo.InvariantCulture), p.User, p.Command);
            await table.WriteAsync(output);
            return 0;
        }));
        return command;
    }
}
