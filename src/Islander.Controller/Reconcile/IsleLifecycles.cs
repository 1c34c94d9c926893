using Islander.Controller.Hosting;
using Islander.Controller.Images;
using Islander.Controller.Lifecycle;
using Islander.Controller.Ports;
using Islander.Controller.State;
using Islander.Model;
using Microsoft.Extensions.Options;
using Stateless;

namespace Islander.Controller.Reconcile;

/// <summary>
/// What an isle's pass drives: the runtime (probed, started through a plan, stopped, removed), the isle's planner
/// around it (<see cref="StartPlanner"/>), its image, the clock and the restart back-off. Makes the
/// <see cref="IsleLifecycle"/> of a record, one per pass.
/// </summary>
public sealed class IsleLifecycles(IIsleRuntime runtime, StartPlanner planner, IsleImages images, TimeProvider time, IOptions<DaemonOptions> options)
{
    public TimeProvider Time => time;

    /// <summary>The lifecycle of <paramref name="record"/> for one pass.</summary>
    public IsleLifecycle For(IsleRecord record, Func<StateMachine<IslePhase, IsleTrigger>.Transition, Task> onTransitioned, Action onEntering) =>
        new(record, runtime, planner, time, options.Value.RestartBackoff, onTransitioned, images, onEntering);

    /// <summary>Kernel truth about the isle now (<see cref="IIsleRuntime.Probe"/>).</summary>
    public IsleObservation Probe(string name) => runtime.Probe(name);

    /// <summary>New limits for the running isle's cgroup, in place (<see cref="IIsleRuntime.UpdateResourcesAsync"/>).</summary>
    public Task UpdateResourcesAsync(string name, IsleResources resources, IsleResources previous, CancellationToken cancellationToken) =>
        runtime.UpdateResourcesAsync(name, resources, previous, cancellationToken);

    /// <summary>
    /// A config file's new content for the running isle, in place: written where the isle sees it, then each signal its
    /// <c>onChange</c> asks for sent to PID 1 (same process; nothing else touched). Returns the signals sent.
    /// </summary>
    public IReadOnlyList<int> ReloadConfigFiles(string name, IsleSpec running, IsleSpec desired)
    {
        var signals = planner.UpdateConfigFiles(name, running, desired);
        foreach (var signal in signals) runtime.Signal(name, signal);
        return signals;
    }

    /// <summary>Why the isle cannot start now: one message per named volume it mounts that is not ready (empty: it may).</summary>
    public IReadOnlyList<string> VolumesNotReady(IsleSpec spec) => planner.VolumesNotReady(spec);

    /// <summary>
    /// Stops a running isle that turned unhealthy (its stop signal, SIGKILL after its stop timeout, waited for outside the
    /// pass's worker) and returns its exit, marked <see cref="IsleExit.Unhealthy"/>, for the lifecycle to observe: the
    /// restart policy then restarts it as after a crash.
    /// </summary>
    public async Task<IsleExit> StopUnhealthyAsync(IsleRecord record, CancellationToken cancellationToken)
    {
        await WorkerSlot.OutsideAsync(() => runtime.StopAsync(record.Name, record.StopSignal, record.StopTimeout, cancellationToken), cancellationToken);
        return (runtime.Probe(record.Name).Exit ?? IsleExit.Lost(time.GetUtcNow())) with { Unhealthy = true };
    }

    /// <summary>Removes an isle the runtime has but no record names (a leftover of ours), and what it held.</summary>
    public async Task RemoveLeftoverAsync(string name, CancellationToken cancellationToken)
    {
        await runtime.DeleteAsync(name, cancellationToken);
        planner.Deleted(name);
    }
}
