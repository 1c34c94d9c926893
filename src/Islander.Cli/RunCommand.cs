using System.CommandLine;
using Islander.Cli.Api;
using Islander.Cli.Completion;
using Islander.Drivers.Runtime;
using Islander.Model;

namespace Islander.Cli;

/// <summary>
/// <c>islanderctl run [--rm] [-d] [--name N] [flags] IMAGE [-- CMD...]</c> or <c>run [...] --rootfs DIR -- CMD...</c>:
/// creates an isle through islanderd (restartPolicy Never unless --restart), then, as <c>docker run</c>, streams its
/// log until it ends and exits with its exit code, or with -d prints its name once it runs.
/// <c>--no-daemon</c> runs it here instead, without islanderd (<c>RunCommand.NoDaemon.cs</c>).
/// Exit codes are Docker's: the isle's own (128 + signal), 125 when islander failed to create or start it, 126 when
/// its command is not executable, 127 when it does not exist.
/// </summary>
static partial class RunCommand
{

    public static Command Create(Option<string?> socket)
    {
        var options = new RunOptions();
        var state = new Option<string>("--state") { Description = "with --no-daemon: state directory", DefaultValueFactory = _ => RuntimePaths.Default.StateRoot };
        var run = new Option<string>("--run") { Description = "with --no-daemon: run directory", DefaultValueFactory = _ => RuntimePaths.Default.RunRoot };
        var cgroupParent = new Option<string>("--cgroup-parent")
        {
            Description = "with --no-daemon: the cgroup the isle's group is made in (islanderd's --cgroup-parent)",
            DefaultValueFactory = _ => CgroupParent.Default,
        };
        var command = new Command("run", "Run one isle: through islanderd (its log streamed here until it ends, or -d), or here with --no-daemon");
        options.AddTo(command);
        options.AddCompletions(socket);
        command.Options.Add(state);
        command.Options.Add(run);
        command.Options.Add(cgroupParent);
        Completions.Directories(state);
        Completions.Directories(run);
        command.SetAction(async (parse, ct) =>
        {
            bool daemon = !parse.GetValue(options.NoDaemon);
            IsleSpec spec;
            try
            {
                spec = options.ToSpec(parse, daemon);
                if (!daemon && parse.GetValue(options.Detach))
                    throw new IslanderException("-d: a detached isle needs islanderd to keep it; drop --no-daemon", ErrorCategory.InvalidManifest);
            }
            catch (IslanderException e)
            {
                // Docker's exit code for a bad `docker run` command line.
                await parse.InvocationConfiguration.Error.WriteLineAsync($"error: {e.Message}");
                return RunExitCodes.IslanderFailed;
            }
            // Not a secret: Random spares loading OpenSSL at start. A DNS label, as isle names must be.
            string name = parse.GetValue(options.Name) ?? $"run-{Random.Shared.Next():x8}";
            if (!daemon)
            {
                if (CgroupParent.Normalize(parse.GetValue(cgroupParent)!, out string? bad) is not { } parent)
                {
                    await parse.InvocationConfiguration.Error.WriteLineAsync($"error: --cgroup-parent: {bad}");
                    return RunExitCodes.IslanderFailed;
                }
                return await RunWithoutDaemonAsync(spec, name, new RuntimePaths(parse.GetValue(state)!, parse.GetValue(run)!), parent, ct);
            }
            if (spec.Tty && !parse.GetValue(options.Detach) && !Terminal.TerminalInterop.IsTerminal(0))
            {
                // Docker's check, before anything is created: raw mode and the terminal's size need one here.
                await parse.InvocationConfiguration.Error.WriteLineAsync($"error: {Commands.AttachStreams.NotATty("leave -t out (e.g. echo text | islanderctl run -i ...)").Message}");
                return 1;
            }
            using var client = new IslanderClient(IslanderClient.ResolveSocket(parse.GetValue(socket)));
            var isle = new IsleRun(client, name, spec, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            var attach = spec.Stdin || spec.Tty ? new Commands.AttachStreams(name, spec.Stdin, spec.Tty, parse.GetValue(options.DetachKeys) ?? Terminal.DetachKeys.Default) : null;
            try
            {
                return await isle.RunAsync(parse.GetValue(options.Remove), parse.GetValue(options.Detach), ct, attach);
            }
            catch (ClientException e)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"error: {e.Message}" + (e.Reason == "Unavailable"
                    ? "\n       (or run the isle without the daemon: islanderctl run --no-daemon --rootfs DIR -- COMMAND...)" : ""));
                foreach (var p in e.Problems) await parse.InvocationConfiguration.Error.WriteLineAsync($"  {p.Field}: {p.Message}");
                return RunExitCodes.IslanderFailed;
            }
        });
        return command;
    }
}
