namespace Islander.Drivers.Cgroups;

/// <summary>Where an isle's cgroup lives, for the launcher (isle-init) and for status probes.</summary>
/// <param name="Directories">Every cgroup directory the isle's processes belong to: one per v1 hierarchy, one on v2.</param>
/// <param name="OomEventsFile">
/// The file whose <c>oom_kill N</c> line counts the OOM kills in the group: v1 <c>memory/…/memory.oom_control</c>,
/// v2 <c>memory.events</c>. Null when there is no memory controller.
/// </param>
public sealed record CgroupPaths(IReadOnlyList<string> Directories, string? OomEventsFile)
{
    /// <summary>The key of the OOM kill counter line in <see cref="OomEventsFile"/> (same on v1 and v2).</summary>
    public const string OomKillKey = "oom_kill";
}
