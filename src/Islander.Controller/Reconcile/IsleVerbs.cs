using Islander.Controller.Desired;
using Islander.Controller.Lifecycle;
using Islander.Controller.Ports;
using Islander.Controller.State;
using Islander.Model;
using Microsoft.Extensions.Logging;

namespace Islander.Controller.Reconcile;

/// <summary>
/// What a user does to a running isle besides editing its manifest: stop, start, restart, kill, pause, unpause
/// (<c>POST isles/{name}/stop</c>, ...). Each verb runs in the isle's turn of the <see cref="ReconcileQueue"/>
/// (<see cref="ReconcileQueue.ExclusiveAsync{T}"/>), so it never races a reconcile pass, and drives the isle's
/// <see cref="IsleLifecycle"/> as a pass does; a start is a reconcile pass, so it waits for dependencies and volumes as
/// any start. The same for isles from manifest files and from the API: a verb changes what runs, never the desired state.
/// </summary>
/// <remarks>
/// Errors are <see cref="IslanderException"/>s: NotFound for an isle no manifest or API object defines, Conflict for a
/// verb the isle's phase does not allow (start of a running isle, unpause of one not paused, kill of one not running).
/// A refused verb changes nothing.
/// </remarks>
public sealed class IsleVerbs(DesiredStore desired, StateStore store, IsleReconciler reconciler, IIsleRuntime runtime, ReconcileQueue queue,
    ExitWatcher exits, TimeProvider time, ILogger<IsleVerbs> log)
{
    /// <summary>
    /// Stops the isle and keeps it stopped (phase Stopped, reason StoppedByUser) until a start or a spec change; its
    /// restart policy does not bring it back, nor does a daemon restart. Waits up to <paramref name="timeout"/> (else the
    /// spec's stopTimeout) after the stop signal, then SIGKILL. A paused isle is thawed first. Stopping a stopped or
    /// ended isle changes nothing (Docker's stop is idempotent too).
    /// </summary>
    public Task<IsleRecord> StopAsync(string name, TimeSpan? timeout, CancellationToken cancellationToken) =>
        InTurnAsync(name, async (entry, record) =>
        {
            if (record.State is IslePhase.Stopped && record.StoppedByUser || record.State is IslePhase.Succeeded or IslePhase.Failed or IslePhase.Error)
                return record;
            await StopAsync(entry.Object!, record, new UserStop(time.GetUtcNow(), timeout), cancellationToken);
            log.LogInformation("Isle {Isle} stopped by the API's stop; it stays stopped until a start or a spec change", name);
            return record;
        }, cancellationToken);

    /// <summary>
    /// Starts an isle that is stopped or ended: a user-stopped isle is started by a reconcile pass (dependencies and
    /// volumes waited for as at any start); one that ended and whose restart policy leaves it (Succeeded, Failed) or whose
    /// start was refused (Error) is started again with its desired spec, as <c>docker start</c> does. Conflict for an
    /// isle that runs, is paused or is on its way (Creating, BackOff, Stopping).
    /// </summary>
    public Task<IsleRecord> StartAsync(string name, CancellationToken cancellationToken) =>
        InTurnAsync(name, async (entry, record) =>
        {
            switch (record.State)
            {
                case IslePhase.Stopped:
                    await StartStoppedAsync(record, cancellationToken);
                    break;
                case IslePhase.Succeeded or IslePhase.Failed or IslePhase.Error:
                    await reconciler.LifecycleOf(record).StartAsync(Request(entry), cancellationToken);
                    break;
                default:
                    throw new IslanderException(record.State is IslePhase.Paused
                        ? $"isle {name} is Paused: use unpause to resume it"
                        : $"isle {name} is already {record.State}{(record.Pid is { } pid ? $" (pid {pid})" : "")}: start starts a stopped isle; use restart to start it again",
                        ErrorCategory.Conflict);
            }
            return record;
        }, cancellationToken);

    /// <summary>
    /// Stops the isle if it runs (signal, <paramref name="timeout"/>, SIGKILL; thawed first if paused), then starts it
    /// again with the same spec, not recreated: <c>docker restart</c>. A stopped or ended isle is just started.
    /// </summary>
    public Task<IsleRecord> RestartAsync(string name, TimeSpan? timeout, CancellationToken cancellationToken) =>
        InTurnAsync(name, async (entry, record) =>
        {
            if (record.State is IslePhase.Succeeded or IslePhase.Failed or IslePhase.Error)
            {
                await reconciler.LifecycleOf(record).StartAsync(Request(entry), cancellationToken);
                return record;
            }
            if (record.State is not IslePhase.Stopped)
                await StopAsync(entry.Object!, record, new UserStop(time.GetUtcNow(), timeout, "restart"), cancellationToken);
            await StartStoppedAsync(record, cancellationToken);
            return record;
        }, cancellationToken);

    /// <summary>
    /// Sends <paramref name="signal"/> to the isle's PID 1 and nothing else: if it ends, its restart policy acts as on any
    /// exit (Kubernetes' rule for a killed container; Docker instead counts a kill as a manual stop). Conflict when it is
    /// not running, or is paused (a frozen process takes no signal; unpause it first, as Docker asks).
    /// </summary>
    public Task<IsleRecord> KillAsync(string name, int signal, CancellationToken cancellationToken) =>
        InTurnAsync(name, (_, record) =>
        {
            if (record.State is IslePhase.Paused)
                throw new IslanderException($"isle {name} is Paused: unpause it first (a frozen process takes no signal), or stop it", ErrorCategory.Conflict);
            if (record.State is not IslePhase.Running)
                throw new IslanderException($"isle {name} is not running (phase {record.State}): there is no process to signal", ErrorCategory.Conflict);
            runtime.Signal(name, signal);
            log.LogInformation("Isle {Isle}: signal {Signal} sent to its PID 1 (pid {Pid})", name, Signals.Name(signal), record.Pid);
            return Task.FromResult(record);
        }, cancellationToken);

    /// <summary>Freezes a Running isle's processes: phase Paused until <see cref="UnpauseAsync"/>. Conflict in any other phase.</summary>
    public Task<IsleRecord> PauseAsync(string name, CancellationToken cancellationToken) =>
        InTurnAsync(name, async (_, record) =>
        {
            await reconciler.LifecycleOf(record).PauseAsync(time.GetUtcNow(), cancellationToken);
            return record;
        }, cancellationToken);

    /// <summary>Thaws a Paused isle: Running again, same processes. Conflict when it is not paused.</summary>
    public Task<IsleRecord> UnpauseAsync(string name, CancellationToken cancellationToken) =>
        InTurnAsync(name, async (_, record) =>
        {
            await reconciler.LifecycleOf(record).UnpauseAsync(cancellationToken);
            return record;
        }, cancellationToken);

    async Task StopAsync(DesiredObject obj, IsleRecord record, UserStop stop, CancellationToken cancellationToken)
    {
        if (record.State is IslePhase.Stopped)
        {
            // Stopped by the controller on its way to a recreate: the user's stop keeps it so.
            record.StoppedByUser = true;
            record.Reason = Reasons.StoppedByUser;
            store.SaveIsle(record);
            return;
        }
        // An isle that was never started (waiting for a dependency) is stopped at the spec it would have started with,
        // so the Model sees it stopped at the desired spec, not a spec change that would start it.
        record.SpecHash ??= obj.SpecHash;
        await reconciler.LifecycleOf(record).StopAsync(cancellationToken, stop);
        exits.Sync(record.Name, running: false);
    }

    /// <summary>A Stopped isle, the user's stop lifted: a reconcile pass starts it, as the Model then sees no isle there.</summary>
    async Task StartStoppedAsync(IsleRecord record, CancellationToken cancellationToken)
    {
        record.StoppedByUser = false;
        store.SaveIsle(record);
        var result = await reconciler.ReconcileAsync(record.Name, cancellationToken);
        if (result.RequeueAfter is { } delay) queue.AddAfter(ObjectKey.Isle(record.Name), delay);
    }

    static StartRequest Request(DesiredEntry entry) => new(entry.Object!.Isle!, entry.Object.SpecHash, entry.Generation);

    /// <summary>
    /// Runs <paramref name="verb"/> in the isle's turn with its desired entry (a valid isle) and its record (read in the turn, so
    /// fresh), then saves the record and returns it as it is now. NotFound when no object defines the isle.
    /// </summary>
    async Task<IsleRecord> InTurnAsync(string name, Func<DesiredEntry, IsleRecord, Task<IsleRecord>> verb, CancellationToken cancellationToken)
    {
        var key = ObjectKey.Isle(name);
        try
        {
            return await queue.ExclusiveAsync(key, async () =>
            {
                var entry = desired.Get(key);
                if (entry is null)
                    throw store.GetIsle(name) is null
                        ? new IslanderException($"isle \"{name}\" not found", ErrorCategory.NotFound)
                        : new IslanderException($"isle \"{name}\" is being deleted (no manifest defines it any more)", ErrorCategory.Conflict);
                if (entry.Object is not { Isle: not null })
                    throw new IslanderException($"isle \"{name}\" has no valid manifest yet ({string.Join("; ", entry.Problems)}): nothing runs", ErrorCategory.Conflict);
                var record = store.GetIsle(name) ?? new IsleRecord { Name = name, State = IslePhase.Pending };
                var after = await verb(entry, record);
                return store.GetIsle(name) ?? after;
            }, cancellationToken);
        }
        finally
        {
            queue.Add(key); // a pass after every verb: the isle converges whatever the verb left (level-triggered)
        }
    }
}
