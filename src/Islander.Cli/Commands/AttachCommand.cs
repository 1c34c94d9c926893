using System.CommandLine;
using System.Text.Json;
using Islander.Cli.Api;
using Islander.Cli.Completion;
using Islander.Cli.Terminal;

namespace Islander.Cli.Commands;

/// <summary>
/// <c>islanderctl attach [--detach-keys KEYS] [--no-stdin] NAME</c>: this terminal to a running isle's PID 1, as
/// <c>docker attach</c> (and <c>kubectl attach -it</c>): for an isle whose spec has <c>tty: true</c> (its terminal, raw
/// here, sized as this one) or <c>stdin: true</c>. Ctrl-P Ctrl-Q detaches and leaves the isle running; when PID 1 ends,
/// islanderctl exits with its code. Output written while nobody was attached is in <c>islanderctl logs NAME</c>; a
/// shell's prompt shows again at the next Enter, as with Docker.
/// </summary>
public static class AttachCommand
{
    public static Command Create(Option<string?> socket)
    {
        var name = new Argument<string>("name") { Description = "isle name" };
        var detachKeys = new Option<string>("--detach-keys") { Description = $"keys that detach and leave the isle running, Docker's format (default {DetachKeys.Default})", DefaultValueFactory = _ => DetachKeys.Default };
        var noStdin = new Option<bool>("--no-stdin") { Description = "do not send this stdin to the isle: watch its output only" };
        var attach = new Command("attach", "attach this terminal to a running isle's PID 1 (its tty or stdin); Ctrl-P Ctrl-Q detaches") { name, detachKeys, noStdin };
        Completions.Names(name, socket, "isles", o => o.Status.Phase == "Running");
        attach.SetAction((parse, ct) => ClientCommands.RunAsync(parse, socket, ct, async (client, output, token) =>
        {
            var error = parse.InvocationConfiguration.Error;
            string isle = parse.GetValue(name)!;
            var view = await client.GetAsync("isles", isle, token); // 404 as every verb says it
            bool Flag(string field) => view.Spec.ValueKind == JsonValueKind.Object && view.Spec.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.True;
            var streams = new AttachStreams(isle, Flag("stdin") && !parse.GetValue(noStdin), Flag("tty"), parse.GetValue(detachKeys) ?? DetachKeys.Default);
            var end = await streams.RunAsync(client.SocketPath, output, error, token);
            if (end.IsDetached)
            {
                await error.WriteLineAsync($"\r\nislanderctl: detached; isle {isle} runs on (islanderctl attach {isle} to come back)");
                return 0;
            }
            if (end.Exit is { Message: { } message } failed)
                throw new ClientException(message, failed.Reason ?? "Error", failed.ExitCode ?? 1);
            return AttachStreams.ExitCode(end)
                ?? throw new ClientException($"lost the connection to islanderd; isle {isle} runs on (islanderctl attach {isle} to come back)", "Unavailable");
        }));
        return attach;
    }
}
