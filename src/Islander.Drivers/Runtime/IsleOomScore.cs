using Islander.Model;

namespace Islander.Drivers.Runtime;

/// <summary>
/// An isle's oom_score_adj, set on its init and on every exec'd process before they run (children inherit it). isle-init
/// is islanderd's child and would hand the isle the daemon's own, which the unit lowers to -500 (OOMScoreAdjust) so that
/// the kernel's OOM killer takes an isle's memory bomb before islanderd: an isle that inherited it would be as protected
/// as the daemon and outrank the host's processes (sshd, a database) at the default 0. Docker gives a container's
/// processes 0 the same way while dockerd runs at -500; the shims keep the daemon's value (they hold the isles' logs
/// and exit status, and are small).
/// </summary>
public static class IsleOomScore
{
    /// <summary>The kernel's default, Docker's for a container.</summary>
    public const int Default = 0;

    /// <summary>
    /// Writes <see cref="Default"/> to /proc/PID/oom_score_adj. Raising the score never needs a capability; lowering it
    /// (a daemon run at a positive score) is allowed down to the process's floor, which is never above 0 unless a
    /// privileged process set one.
    /// </summary>
    public static void Reset(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/oom_score_adj", Default.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IslanderException($"set the oom_score_adj of the isle's process {pid} to {Default}: {e.Message}", ErrorCategory.Transient, e);
        }
    }
}
