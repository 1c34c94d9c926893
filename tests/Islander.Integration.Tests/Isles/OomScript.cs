namespace Islander.Integration.Tests.Isles;

/// <summary>A shell for pid 1 whose child, not itself, is OOM-killed under a 32Mi limit.</summary>
static class OomScript
{
    /// <summary>
    /// tail holds the whole newline-free stream and, with an oom_score_adj of 1000, is the kernel's choice however the
    /// group's pages lie. Under load the kernel sometimes kills again while tail's pages are still charged to the group
    /// (seen in CI: sh, pid 1, killed): a sleeping decoy with the same score is then its choice, never sh. sh prints
    /// tail's status and exits 3 by itself.
    /// </summary>
    public const string ChildKilledThenExit3 =
        "sh -c 'echo 1000 > /proc/self/oom_score_adj && exec sleep 1000' & " +
        "head -c 96m /dev/zero | sh -c 'echo 1000 > /proc/self/oom_score_adj && exec tail'; echo tail=$?; kill $! 2>/dev/null; exit 3";
}
