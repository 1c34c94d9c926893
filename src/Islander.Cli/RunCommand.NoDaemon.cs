using System.CommandLine;
using System.Runtime.InteropServices;
using Islander.Drivers.Runtime;
using Islander.Model;

namespace Islander.Cli;

/// <summary>
/// <c>islanderctl run --rootfs DIR [flags] -- CMD...</c>: runs one isle in the foreground without
/// the daemon, as <c>runc run</c> does, with its stdio on this terminal; the isle is removed when it
/// ends (Docker's <c>--rm</c>; there is no daemon to keep it). The exit code is the isle's, Docker-style
/// (128 + signal; 125 when islander itself failed, 126/127 when the command could not be run).
/// </summary>
static class RunCommand
{
    public static Command Create()
    {
        var options = new RunOptions();
        var state = new Option<string>("--state") { Description = "state directory", DefaultValueFactory = _ => RuntimePaths.Default.StateRoot };
        var run = new Option<string>("--run") { Description = "run directory", DefaultValueFactory = _ => RuntimePaths.Default.RunRoot };
        var command = new Command("run", "Run one isle in the foreground, without the daemon");
        options.AddTo(command);
        command.Options.Add(state);
        command.Options.Add(run);
        command.SetAction((r, ct) => RunAsync(options.ToSpec(r), r.GetValue(options.Name), new RuntimePaths(r.GetValue(state)!, r.GetValue(run)!), ct));
        return command;
    }

    static async Task<int> RunAsync(IsleSpec spec, string? name, RuntimePaths paths, CancellationToken ct)
    {
        name ??= $"run-{Random.Shared.Next():x8}"; // not a secret: Random spares loading OpenSSL at start
        var runtime = IsleRuntime.CreateDefault(paths);
        IsleProcess process;
        try
        {
            process = await runtime.StartAsync(name, spec, IsleStdio.Inherit, ct: ct);
        }
        catch (IsleStartException e)
        {
            await Console.Error.WriteLineAsync($"islanderctl: {e.Message}");
            return e.Op == "execve" ? (e.Errno is 2 ? 127 : 126) : 125;
        }

        // Ctrl-C and SIGTERM stop the isle as `docker stop` would, instead of leaving it behind.
        using var stopping = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        void Stop(PosixSignalContext c)
        {
            c.Cancel = true;
            _ = runtime.StopAsync(name, process, spec.StopSignal, spec.StopTimeout, CancellationToken.None);
        }

        try
        {
            var status = await runtime.WaitAsync(name, process, CancellationToken.None);
            if (status is null)
            {
                await Console.Error.WriteLineAsync($"islanderctl: isle {name} ended without a recorded status (its shim was killed)");
                return 125;
            }
            if (status.OomKilled)
                await Console.Error.WriteLineAsync($"islanderctl: isle {name} was OOM-killed: it reached its memory limit of {spec.Resources.Memory} bytes");
            return status.Code;
        }
        finally
        {
            await runtime.DeleteAsync(name, CancellationToken.None, keepLog: false);
        }
    }
}
