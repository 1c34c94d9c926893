using Islander.Model;

namespace Islander.Drivers.Cgroups;

/// <summary>
/// The wait both freezers need: the write asks, the kernel freezes task by task, and a state file says when it is
/// done. Shared by <see cref="CgroupV1Driver"/> (freezer.state) and <see cref="CgroupV2Driver"/> (cgroup.freeze,
/// cgroup.events).
/// </summary>
internal static class CgroupFreezer
{
    /// <summary>How long a freeze may take before it is given up (runc retries for about as long).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Calls <paramref name="request"/>, then polls <paramref name="reached"/> (calling <paramref name="request"/> again
    /// between polls: on v1 a FREEZING group may need the FROZEN written again) until it holds or <see cref="Timeout"/>
    /// passes. On a freeze that times out or is cancelled, <paramref name="undo"/> thaws the group, so that it is never
    /// left half-frozen, and a <see cref="ErrorCategory.Transient"/> error names <paramref name="group"/>.
    /// </summary>
    public static async Task SetAsync(CgroupFs fs, string group, bool frozen, Action request, Func<bool> reached, Action undo, CancellationToken cancellationToken)
    {
        request();
        var deadline = DateTime.UtcNow + Timeout;
        try
        {
            while (!reached())
            {
                if (DateTime.UtcNow >= deadline)
                    throw new CgroupException($"cgroup {group} is not {(frozen ? "frozen" : "thawed")} after {Timeout.TotalSeconds:0}s", ErrorCategory.Transient);
                await fs.PauseAsync(cancellationToken);
                request();
            }
        }
        catch (Exception e) when (frozen && e is CgroupException or OperationCanceledException)
        {
            undo();
            throw;
        }
    }
}
