using System.CommandLine;
using Islander.Cli.Api;
using Islander.Cli.Completion;

namespace Islander.Cli.Commands;

/// <summary>
/// The commands that talk to islanderd. <see cref="Root"/> wires them as Program.cs runs them:
/// <code>
/// var socket = ClientCommands.SocketOption();
/// root.Options.Add(socket);                       // recursive: every subcommand accepts --socket
/// foreach (var c in ClientCommands.Create(socket)) root.Subcommands.Add(c);
/// </code>
/// </summary>
public static class ClientCommands
{
    /// <summary>islanderctl's whole command tree: the client commands, <c>completion</c>, and the hidden <c>__complete</c> its scripts call.</summary>
    public static RootCommand Root()
    {
        var root = new RootCommand("islanderctl: control islander, the declarative container engine");
        var socket = SocketOption(); // --socket, or ISLANDER_SOCKET
        root.Options.Add(socket);
        foreach (var command in Create(socket)) root.Subcommands.Add(command);
        root.Subcommands.Add(ValidateCommand.Create());
        root.Subcommands.Add(CompletionCommand.Create());
        root.Subcommands.Add(CompleteCommand.Create(root));
        return root;
    }

    public static Option<string?> SocketOption()
    {
        var socket = new Option<string?>("--socket")
        {
            Description = $"islanderd's API socket (default: $ISLANDER_SOCKET, else {IslanderClient.DefaultSocket})",
            Recursive = true,
        };
        Completions.Files(socket);
        return socket;
    }

    /// <summary>run, apply, get, describe, delete, diff, logs, exec, attach, events, image, volume, rollout, stats, stop, start, restart, kill, pause, unpause, wait, top, port, version.</summary>
    public static IReadOnlyList<Command> Create(Option<string?> socket) =>
    [
        RunCommand.Create(socket),
        ApplyCommand.Create(socket),
        GetCommand.Create(socket),
        DescribeCommand.Create(socket),
        DeleteCommand.Create(socket),
        DiffCommand.Create(socket),
        LogsCommand.Create(socket),
        ExecCommand.Create(socket),
        AttachCommand.Create(socket),
        CpCommand.Create(socket),
        EventsCommand.Create(socket),
        ImageCommand.Create(socket),
        VolumeCommand.Create(socket),
        RolloutCommand.Create(socket),
        StatsCommand.Create(socket),
        .. LifecycleCommands.Create(socket),
        WaitCommand.Create(socket),
        TopCommand.Create(socket),
        PortCommand.Create(socket),
        VersionCommand.Create(socket),
    ];

    /// <summary>
    /// Runs a command's body with a client, turning <see cref="ClientException"/> into a message on stderr and its
    /// exit code; Ctrl-C (cancellation) ends streams quietly with 0, as kubectl logs -f does.
    /// </summary>
    internal static async Task<int> RunAsync(ParseResult parse, Option<string?> socket, CancellationToken ct,
        Func<IslanderClient, TextWriter, CancellationToken, Task<int>> body)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        using var client = new IslanderClient(IslanderClient.ResolveSocket(parse.GetValue(socket)));
        try
        {
            return await body(client, output, ct);
        }
        catch (ClientException e)
        {
            await error.WriteLineAsync($"error: {e.Message}");
            foreach (var p in e.Problems) await error.WriteLineAsync($"  {p.Text}");
            return e.ExitCode;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return 0;
        }
    }
}
