using System.CommandLine;
using System.Globalization;
using Islander.Cli.Api;
using Islander.Cli.Completion;
using Islander.Model;

namespace Islander.Cli.Commands;

/// <summary>
/// Docker's container verbs on isles: <c>stop [-t SECONDS] NAME...</c>, <c>start NAME...</c>, <c>restart [-t SECONDS]
/// NAME...</c>, <c>kill [-s SIGNAL] NAME...</c>, <c>pause NAME...</c>, <c>unpause NAME...</c>. Each name is tried in
/// turn and printed as <c>isle/NAME stopped</c> when done; one that fails is said on stderr and the others are still
/// tried; any failure makes the exit code 1 (docker's way). They work the same on isles from manifest files and from
/// the API: a verb changes what runs, never the manifest.
/// </summary>
public static class LifecycleCommands
{
    /// <summary>stop, start, restart, kill, pause, unpause.</summary>
    public static IReadOnlyList<Command> Create(Option<string?> socket) =>
    [
        WithTimeout(socket, "stop", "stopped", "stop isles: the stop signal, then SIGKILL after the timeout; they stay stopped, whatever their restart policy, until start or a spec change",
            r => r.Status.Phase == "Running" || r.Status.Phase == "Paused"),
        Simple(socket, "start", "started", "start stopped isles again", r => r.Status.Phase is "Stopped" or "Succeeded" or "Failed" or "Error"),
        WithTimeout(socket, "restart", "restarted", "stop isles (as stop does) and start them again with the same spec", null),
        Kill(socket),
        Simple(socket, "pause", "paused", "freeze every process of isles (the cgroup freezer) until unpause", r => r.Status.Phase == "Running"),
        Simple(socket, "unpause", "unpaused", "thaw paused isles", r => r.Status.Phase == "Paused"),
    ];

    static Argument<string[]> Names(Option<string?> socket, Func<Model.Api.ObjectView, bool>? which)
    {
        var names = new Argument<string[]>("name") { Description = "isle names", Arity = ArgumentArity.OneOrMore };
        Completions.Names(names, socket, "isles", which);
        return names;
    }

    static Command Simple(Option<string?> socket, string verb, string done, string description, Func<Model.Api.ObjectView, bool>? which)
    {
        var names = Names(socket, which);
        var command = new Command(verb, description) { names };
        command.SetAction((parse, ct) => ClientCommands.RunAsync(parse, socket, ct, (client, output, token) =>
            EachAsync(parse, parse.GetValue(names)!, name => client.IsleVerbAsync(name, verb, null, token), done, output)));
        return command;
    }

    static Command WithTimeout(Option<string?> socket, string verb, string done, string description, Func<Model.Api.ObjectView, bool>? which)
    {
        var names = Names(socket, which);
        var timeout = new Option<int?>("--time", "-t", "--timeout") { Description = "seconds to wait for the isle to stop before SIGKILL (default: its spec's stopTimeout)" };
        var command = new Command(verb, description) { names, timeout };
        command.SetAction((parse, ct) => ClientCommands.RunAsync(parse, socket, ct, (client, output, token) =>
        {
            if (parse.GetValue(timeout) is < 0)
                throw new ClientException("-t is a number of seconds, 0 or more", "BadRequest");
            var query = parse.GetValue(timeout) is { } t ? "timeout=" + t.ToString(CultureInfo.InvariantCulture) : null;
            return EachAsync(parse, parse.GetValue(names)!, name => client.IsleVerbAsync(name, verb, query, token), done, output);
        }));
        return command;
    }

    static Command Kill(Option<string?> socket)
    {
        var names = Names(socket, r => r.Status.Phase == "Running");
        var signal = new Option<string>("--signal", "-s") { Description = "the signal to send to each isle's PID 1: a name (SIGTERM, TERM) or a number (default: SIGKILL)", DefaultValueFactory = _ => "SIGKILL" };
        Completions.Values(signal, "SIGKILL", "SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGSTOP", "SIGCONT");
        var command = new Command("kill", "send a signal to isles' PID 1 (SIGKILL by default); their restart policy acts on the exit as on any") { names, signal };
        command.SetAction((parse, ct) => ClientCommands.RunAsync(parse, socket, ct, (client, output, token) =>
        {
            var text = parse.GetValue(signal)!;
            // Checked here first, so a typo sends nothing to any isle.
            if (!Signals.TryParse(text, out int number))
                throw new ClientException($"unknown signal \"{text}\": {Signals.Forms}; the names are {string.Join(", ", Signals.Known)}", "BadRequest");
            var query = "signal=" + number.ToString(CultureInfo.InvariantCulture);
            return EachAsync(parse, parse.GetValue(names)!, name => client.IsleVerbAsync(name, "kill", query, token), $"sent {Signals.Name(number)}", output);
        }));
        return command;
    }

    static async Task<int> EachAsync(ParseResult parse, string[] names, Func<string, Task> verb, string done, TextWriter output)
    {
        int failed = 0;
        foreach (var name in names)
        {
            try
            {
                await verb(name);
                await output.WriteLineAsync($"isle/{name} {done}");
            }
            catch (ClientException e) when (e.Reason is "NotFound" or "Conflict" or "BadRequest" or "Unsupported" or "Transient")
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"error: {e.Message}");
                failed++;
            }
        }
        return failed > 0 ? 1 : 0;
    }
}
