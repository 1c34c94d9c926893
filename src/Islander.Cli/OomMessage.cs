using Islander.Model;

namespace Islander.Cli;

/// <summary>
/// What <c>run</c> says when a run's reason is OOMKilled. The reason is set when the kernel's OOM killer killed any
/// process of the isle (Docker's OOMKilled), which is often a child: pid 1 then goes on and exits with its own code
/// (a shell reports its child as 137 while it exited by itself). Only a SIGKILL of pid 1 is "the isle was OOM-killed".
/// </summary>
public static class OomMessage
{
    /// <param name="name">The isle.</param>
    /// <param name="initSignal">The signal that ended pid 1, or null/0 when it exited by itself.</param>
    /// <param name="exitCode">Pid 1's own exit code when it exited by itself.</param>
    /// <param name="limit">The isle's memory limit in bytes, if it has one.</param>
    public static string For(string name, int? initSignal, int? exitCode, long? limit)
    {
        string reached = "it reached its memory limit" + (limit is { } m ? $" of {Quantity.FormatBytes(m)}" : "");
        return initSignal == 9
            ? $"islanderctl: isle {name} was OOM-killed: {reached}"
            : $"islanderctl: the OOM killer killed a process of isle {name} ({reached}); its pid 1 exited by itself" +
                (exitCode is { } code ? $" with code {code}" : "");
    }
}
