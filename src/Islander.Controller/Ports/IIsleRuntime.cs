using Islander.Model;

namespace Islander.Controller.Ports;

/// <summary>
/// What the reconciler needs from the runtime that starts isles (isle-init shim + init, cgroups, namespaces).
/// One isle per name; names are DNS labels and deterministic, so a rerun after a crash finds its own leftovers.
/// </summary>
/// <remarks>
/// Every method is idempotent and safe to call again after the daemon died half-way through it.
/// The runtime owns everything under the isle's run directory (shim, exit status file, log); the
/// controller owns the LiteDB record and never touches the run directory itself.
/// Errors: <see cref="IslanderException"/> with <see cref="ErrorCategory.Transient"/> for "try again" (EAGAIN, EBUSY,
/// a shim that did not answer), any other category for "this spec cannot run here" (missing rootfs, unsupported
/// feature), which the controller records as a terminal error until the spec changes.
/// </remarks>
public interface IIsleRuntime
{
    /// <summary>
    /// Creates and starts the isle and returns once its process runs (after isle-init's execve).
    /// If an isle with this name is already running, returns its handle and starts nothing (adoption after a crash).
    /// If one ended earlier, its remains (cgroup, rootfs mount, exit status) are removed first, so the caller can
    /// restart an ended isle by calling this again. If the start fails, the runtime removes what it made.
    /// <paramref name="plan"/> holds all the start needs (spec, image, volume paths, network attachments); the runtime
    /// attaches the isle to the plan's networks before its command starts.
    /// </summary>
    Task<IsleHandle> StartAsync(IsleStartPlan plan, CancellationToken cancellationToken);

    /// <summary>
    /// Writes new resource limits to the running isle's cgroup in place: same process, nothing restarted (a live
    /// update, <see cref="SpecChangeKind.Live"/>). Refuses, writing nothing, a memory limit below what the isle uses now
    /// (<see cref="ErrorCategory.Conflict"/>) and an isle that does not run (Conflict); when the kernel refuses a write,
    /// <paramref name="previous"/> is written back and the error thrown, so the isle keeps its old limits.
    /// </summary>
    Task UpdateResourcesAsync(string name, IsleResources resources, IsleResources previous, CancellationToken cancellationToken);

    /// <summary>
    /// Kernel truth about the isle now    /// <summary>
    /// Kernel truth about the isle now: is its init alive (pid checked, not the record), did it end and how.
    /// Cheap (a few file reads), never throws for an unknown name: that is <see cref="IsleProcessState.NotFound"/>.
    /// </summary>
    IsleObservation Probe(string name);

    /// <summary>
    /// Completes when the isle's process ends (the real runtime polls a pidfd), at once if it has already ended,
    /// with null if no such isle exists. Cancelling only stops the waiting.
    /// </summary>
    Task<IsleExit?> WaitForExitAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Sends <paramref name="signal"/> to the isle's init, waits up to <paramref name="timeout"/> for it to end, then
    /// SIGKILLs it and waits for the end. Returns at once if the isle is not running. Leaves the remains (exit
    /// status, log) in place for <see cref="Probe"/> and <see cref="DeleteAsync"/>.
    /// </summary>
    Task StopAsync(string name, int signal, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>
    /// Sends <paramref name="signal"/> to the isle's init (its PID 1), nothing else: what follows (an exit, the restart
    /// policy) is seen like any exit. <see cref="ErrorCategory.Conflict"/> when it is not running.
    /// </summary>
    void Signal(string name, int signal);

    /// <summary>
    /// Freezes (<paramref name="frozen"/>) or thaws every process of the isle (the cgroup freezer) and returns once the
    /// kernel says it is done. Idempotent. <see cref="ErrorCategory.NotFound"/> when the isle has no cgroup,
    /// <see cref="ErrorCategory.Unsupported"/> without a freezer, <see cref="ErrorCategory.Transient"/> when it could not
    /// be frozen in time (then it is thawed again).
    /// </summary>
    Task FreezeAsync(string name, bool frozen, CancellationToken cancellationToken);

    /// <summary>
    /// Removes every trace of the isle (SIGKILL if it still runs, cgroup, mounts, run directory, log).
    /// Returns normally if there is nothing to remove.
    /// </summary>
    Task DeleteAsync(string name, CancellationToken cancellationToken);
}
