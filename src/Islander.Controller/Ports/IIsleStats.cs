namespace Islander.Controller.Ports;

/// <summary>
/// Reads what running isles use (memory, CPU time, tasks, block and network IO) for <c>islanderctl stats</c>.
/// A port of its own beside <see cref="IIsleRuntime"/>, like <see cref="IIsleLogs"/>: the reconciler never needs it,
/// and wrappers of the runtime (networks) need not pass it through.
/// </summary>
public interface IIsleStats
{
    /// <summary>
    /// The isle's counters now, or null when it is not running (never started, ended, deleted, or ending while
    /// being read). Cheap (a few file reads), never cached, never throws for an unknown name.
    /// </summary>
    IsleStats? Read(string name);

    /// <summary>
    /// The isle's processes (<c>islanderctl top</c>), read from /proc for the pids in its cgroup, in pid order: empty
    /// when it is not running. Never throws for an unknown name.
    /// </summary>
    IReadOnlyList<Islander.Model.Api.IsleProcessView> Processes(string name);
}
