using System.Runtime.InteropServices;
using Islander.Drivers.Runtime;
using Islander.Model;

namespace Islander.Cli;

// islanderctl run --no-daemon: the isle runs here, as runc run does, for the runtime benchmarks and low-level use.
static partial class RunCommand
{
    /// <summary>
    /// Runs one isle in the foreground without islanderd, with its stdio on this terminal; the isle is removed when it
    /// ends (there is no daemon to keep it). The exit code is the isle's, Docker-style (128 + signal; 125 when islander
    /// itself failed, 126/127 when the command could not be run).
    /// </summary>
    static async Task<int> RunWithoutDaemonAsync(IsleSpec spec, string name, RuntimePaths paths, string cgroupParent, CancellationToken ct)
    {
        // The isle goes with this process: after a host crash no one would read its exit status, so no fsync of it.
        var runtime = IsleRuntime.CreateDefault(paths, cgroupParent);
        runtime.SyncExitStatus = false;
        IsleProcess process;
        try
        {
            process = await runtime.StartAsync(name, spec, IsleStdio.Inherit, ct: ct);
        }
        catch (IslanderException e)
        {
            // Nothing stays of a run that never started: the runtime keeps a failed start's log for a daemon to show,
            // and here no one would (a missing rootfs left an empty STATE/isles/NAME behind, and a stack trace).
            await runtime.DeleteAsync(name, CancellationToken.None, keepLog: false);
            await runtime.DiscardedAsync();
            await Console.Error.WriteLineAsync($"islanderctl: {e.Message}");
            return e is IsleStartException start ? start.ExitCode : RunExitCodes.IslanderFailed;
        }

        // Ctrl-C and SIGTERM stop the isle as `docker stop` would, instead of leaving it behind.
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
                return RunExitCodes.IslanderFailed;
            }
            if (status.OomKilled)
                await Console.Error.WriteLineAsync(OomMessage.For(name, status.Signal, status.ExitCode, spec.Resources.Memory));
            return status.Code;
        }
        finally
        {
            await runtime.DeleteAsync(name, CancellationToken.None, keepLog: false);
            await runtime.DiscardedAsync(); // its directories, before this process (their deleter) exits
        }
    }
}
