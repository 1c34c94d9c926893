using Islander.Model;

namespace Islander.Drivers.Cgroups;

/// <summary>
/// Puts isles in cgroups and keeps their limits. Every isle gets a group named after it under one parent
/// group (<c>islander</c> by default): <c>&lt;root&gt;/&lt;controller&gt;/islander/&lt;isle&gt;</c> on v1,
/// <c>&lt;root&gt;/islander/&lt;isle&gt;</c> on v2. The names are deterministic, so a daemon that restarts finds
/// its groups again; the kernel, not a database, says what exists.
/// </summary>
/// <remarks>
/// Errors are <see cref="CgroupException"/>s; a failed write names the file, the value and the errno.
/// Categories: <see cref="ErrorCategory.InvalidManifest"/> (bad name, contradictory limits, IO device that is
/// not a block device), <see cref="ErrorCategory.Unsupported"/> (a limit whose controller this host lacks),
/// <see cref="ErrorCategory.NotFound"/> (no such group, process gone), <see cref="ErrorCategory.Transient"/>
/// (EBUSY, processes that would not die in time). Implementations are safe to call from one thread per isle.
/// Every call that touches the cgroupfs takes a <see cref="CancellationToken"/> and checks it between file
/// operations, never half-way through one: a cancelled call throws <see cref="OperationCanceledException"/> and may
/// leave what a failure leaves (the calls are idempotent, so the next one converges).
/// </remarks>
public interface ICgroupDriver
{
    /// <summary>The cgroup interface this driver writes.</summary>
    CgroupVersion Version { get; }

    /// <summary>
    /// Creates the isle's group (and the parent group, enabling controllers on v2 and filling cpuset on v1)
    /// and writes every managed limit: those <paramref name="resources"/> sets, the kernel's defaults for the
    /// rest. Idempotent: calling it again with other resources updates the limits of the existing group,
    /// with the processes in it. On failure the group may be left half-configured; call it again or
    /// <see cref="DeleteAsync"/> it — the caller owns the cleanup.
    /// </summary>
    /// <param name="isle">The isle's name: letters, digits, '-', '_' and '.'; becomes the directory name.</param>
    /// <param name="devices">
    /// Docker's device allowlist, or every device (privileged). The same rules (<see cref="DeviceRules"/>) on both
    /// versions: v1 writes them into devices.deny and devices.allow, v2 attaches them compiled into a
    /// BPF_CGROUP_DEVICE program (<see cref="DeviceFilterProgram"/>), replacing the one it attached before.
    /// </param>
    void Create(string isle, IsleResources resources, DevicePolicy devices, CancellationToken cancellationToken);

    /// <summary>
    /// Writes <paramref name="resources"/>' limits to the isle's existing group in place, with its processes running in
    /// it (Docker's <c>update</c>): every managed limit, unset ones with their default, as <see cref="Create"/> does, but
    /// no directory is made and the device policy is not touched (on v1, writing it again would deny every device for a
    /// moment). <see cref="ErrorCategory.NotFound"/> when the group does not exist. The kernel may refuse a write (v1
    /// answers EBUSY to a memory limit it cannot reclaim the group down to): a <see cref="CgroupException"/> naming the
    /// file and value; the writes before it stay, so the caller writes the old limits back.
    /// </summary>
    void Update(string isle, IsleResources resources, CancellationToken cancellationToken);

    /// <summary>
    /// Moves process <paramref name="pid"/> (all its threads) into the isle's group, in every hierarchy.
    /// Idempotent. <see cref="ErrorCategory.NotFound"/> when the group does not exist or the process is gone.
    /// </summary>
    void AddProcess(string isle, int pid, CancellationToken cancellationToken);

    /// <summary>
    /// The isle's group directories and OOM counter file, computed from the name (the group need not exist).
    /// The launcher hands <see cref="CgroupPaths.OomEventsFile"/> to isle-init so it can tell an OOM kill apart.
    /// </summary>
    CgroupPaths Paths(string isle);

    /// <summary>
    /// The pids in the isle's group and its sub-groups, in every hierarchy: what runs of the isle, whatever any file
    /// says. Empty when the group does not exist. A snapshot: processes may start and end meanwhile.
    /// </summary>
    IReadOnlySet<int> Processes(string isle, CancellationToken cancellationToken);

    /// <summary>Whether the isle's group exists (in any hierarchy, on v1: a half-created group exists).</summary>
    bool Exists(string isle, CancellationToken cancellationToken);

    /// <summary>
    /// Memory (working set and limit), CPU time, tasks (count and limit), block IO bytes and OOM-kill counters: a few
    /// file reads, no caching. <see cref="ErrorCategory.NotFound"/> when the group does not exist.
    /// </summary>
    CgroupStats Stats(string isle, CancellationToken cancellationToken);

    /// <summary>
    /// Freezes (<paramref name="frozen"/>) or thaws every process of the isle's group and its sub-groups, and returns once
    /// the kernel says it is done: v1 writes FROZEN or THAWED to freezer.state and waits while it reads FREEZING (writing
    /// FROZEN again, as runc does, since a task busy in the kernel can make one attempt fail); v2 writes 1 or 0 to
    /// cgroup.freeze and waits for cgroup.events to say <c>frozen 1</c> or <c>frozen 0</c>. Idempotent.
    /// <see cref="ErrorCategory.NotFound"/> when the group does not exist, <see cref="ErrorCategory.Unsupported"/> on a v1
    /// host without the freezer hierarchy, <see cref="ErrorCategory.Transient"/> when the group is not frozen after
    /// about ten seconds (it is thawed again then: a group is never left half-frozen).
    /// </summary>
    Task FreezeAsync(string isle, bool frozen, CancellationToken cancellationToken);

    /// <summary>Whether the isle's group is frozen now (freezer.state FROZEN, cgroup.events frozen 1); false when it does not exist.</summary>
    bool Frozen(string isle, CancellationToken cancellationToken);

    /// <summary>
    /// Kills every process left in the isle's group and its sub-groups (v2: cgroup.kill when the kernel has it;
    /// v1: freeze, SIGKILL, thaw; then SIGKILL again until the group is empty), waits for them to leave and
    /// removes the directories. The parent group stays. A missing group is success, so Delete is idempotent.
    /// <see cref="ErrorCategory.Transient"/> when processes survive about ten seconds. The wait is asynchronous (no
    /// thread sleeps while the kernel reaps); <paramref name="cancellationToken"/> stops it between polls, leaving the
    /// group for the next Delete.
    /// </summary>
    Task DeleteAsync(string isle, CancellationToken cancellationToken);
}
