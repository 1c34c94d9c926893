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

    /// <summary>
    /// v1: the <c>tasks</c> file of the isle's group in every hierarchy it joins (controllers and the systemd one), into
    /// which a process moves itself by writing "0". isle-init's helper does that before it clones init: a process moving
    /// itself skips the kernel's global threadgroup lock, whose first writer waits for an RCU grace period (10-15 ms).
    /// Empty on v2.
    /// </summary>
    public IReadOnlyList<string> JoinTasksFiles { get; init; } = [];

    /// <summary>The isle's cgroup2 group (v2, or the hybrid layout's <c>unified</c>): init is cloned into it (CLONE_INTO_CGROUP).</summary>
    public string? CloneInto { get; init; }

    /// <summary>Whether isle-init can start init in every group of the isle by itself (<see cref="JoinTasksFiles"/>, <see cref="CloneInto"/>).</summary>
    public bool InitJoins => JoinTasksFiles.Count > 0 || CloneInto is not null;
}
