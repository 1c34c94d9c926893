using Islander.Model;
using Islander.Controller.Desired;
using Islander.Controller.Events;
using Islander.Controller.Hosting;
using Islander.Controller.Lifecycle;
using Islander.Controller.State;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Islander.Controller.Reconcile;

/// <summary>
/// Runs reconcile passes: <see cref="DaemonOptions.Workers"/> workers take keys from the <see cref="ReconcileQueue"/>
/// (never the same key twice at once), each pass in a log scope with Isle and ReconcileId. The one broad catch of
/// the daemon is here: it logs, records status and requeues with per-key back-off. Also enqueues every key at
/// start (re-adopting isles recorded before a restart) and every <see cref="DaemonOptions.Resync"/>.
/// </summary>
public sealed class ReconcileLoop(
    ReconcileQueue queue, DesiredStore desired, StateStore store, IsleReconciler isles, ExitWatcher exits, EventRecorder events,
    TimeProvider time, IOptions<DaemonOptions> options, ILogger<ReconcileLoop> log, Networks.NetworkReconciler? networks = null,
    Volumes.IsleVolumes? volumes = null) : BackgroundService
{
    long _passes;

    /// <summary>Passes run so far.</summary>
    public long Passes => Interlocked.Read(ref _passes);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        EnqueueAll();
        var dispatch = DispatchAsync(stoppingToken);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(options.Value.Resync, time, stoppingToken).ConfigureAwait(false);
                EnqueueAll();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        await dispatch.ConfigureAwait(false);
        exits.Dispose();
    }

    /// <summary>Every desired key and every key with a record (so removed objects get pruned).</summary>
    public void EnqueueAll()
    {
        foreach (var entry in desired.List()) queue.Add(entry.Key);
        foreach (var record in store.Isles()) queue.Add(ObjectKey.Isle(record.Name));
        foreach (var record in store.Networks()) queue.Add(new ObjectKey(ObjectKind.Network, record.Name));
        foreach (var record in store.Volumes()) queue.Add(new ObjectKey(ObjectKind.Volume, record.Name));
    }

    /// <summary>
    /// Takes keys while a worker slot is free and runs each pass in its slot; a pass that waits for a stop gives its slot
    /// up meanwhile (<see cref="WorkerSlot.OutsideAsync"/>), so at most Workers passes work at once but any number wait.
    /// </summary>
    async Task DispatchAsync(CancellationToken stoppingToken)
    {
        var slots = new SemaphoreSlim(Math.Max(1, options.Value.Workers));
        var running = new HashSet<Task>();
        while (!stoppingToken.IsCancellationRequested)
        {
            ObjectKey key;
            try
            {
                await WorkerSlot.EnterAsync(slots, stoppingToken).ConfigureAwait(false);
                try { key = await queue.TakeAsync(stoppingToken).ConfigureAwait(false); }
                catch (OperationCanceledException) { slots.Release(); throw; }
            }
            catch (OperationCanceledException) { break; }
            var pass = Task.Run(() => WorkerSlot.RunAsync(slots, () => ProcessAsync(key, stoppingToken)), CancellationToken.None);
            lock (running) running.Add(pass);
            _ = pass.ContinueWith(t => { lock (running) running.Remove(t); }, TaskScheduler.Default);
        }
        Task[] left;
        lock (running) left = running.ToArray();
        await Task.WhenAll(left).ConfigureAwait(false);
    }

    /// <summary>Runs the passes whose keys are ready now, one at a time; tests drive the loop with this.</summary>
    public async Task<int> ProcessReadyAsync(CancellationToken cancellationToken = default)
    {
        int n = 0;
        while (queue.TryTake(out var key))
        {
            await ProcessAsync(key, cancellationToken);
            n++;
        }
        return n;
    }

    async Task ProcessAsync(ObjectKey key, CancellationToken cancellationToken)
    {
        var reconcileId = Guid.NewGuid().ToString("N")[..12];
        using var scope = log.BeginScope(new Dictionary<string, object> { ["Isle"] = key.Name, ["Kind"] = key.Kind.ToString(), ["ReconcileId"] = reconcileId });
        Interlocked.Increment(ref _passes);
        try
        {
            var result = ReconcileResult.Done;
            if (key.Kind == ObjectKind.Isle) result = await isles.ReconcileAsync(key.Name, cancellationToken).ConfigureAwait(false);
            else
            {
                if (key.Kind == ObjectKind.Network && networks is not null) await networks.ReconcileAsync(key.Name, cancellationToken).ConfigureAwait(false);
                if (key.Kind == ObjectKind.Volume) volumes?.Reconcile(key.Name);
                foreach (var isle in desired.Referencing(key)) queue.Add(ObjectKey.Isle(isle)); // a ready network or volume lets them start
            }
            queue.Forget(key);
            if (result.RequeueAfter is { } delay) queue.AddAfter(key, delay);
        }
        catch (TerminalReconcileException e)
        {
            queue.Forget(key);
            if (key.Kind == ObjectKind.Isle && (store.GetIsle(key.Name) ?? new IsleRecord { Name = key.Name }) is var record && (record.Reason != e.Reason || record.Message != e.Message))
            {
                record.Reason = e.Reason;
                record.Message = e.Message;
                store.SaveIsle(record);
                log.LogError("Reconcile of {Object} cannot succeed until its manifest changes: {Reason}: {Message}", key, e.Reason, e.Message);
                events.Record(key, EventType.Warning, e.Reason, e.Message);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down: the pass is finished by the next daemon, every step being idempotent.
        }
        catch (Exception e)
        {
            var delay = queue.Failed(key);
            log.LogWarning(e, "Reconcile of {Object} failed (attempt {Attempt}); retrying in {Delay}", key, queue.Failures(key), delay);
            queue.AddAfter(key, delay);
        }
        finally
        {
            if (key.Kind == ObjectKind.Isle) exits.Sync(key.Name, store.GetIsle(key.Name)?.State == IslePhase.Running);
            store.FlushEvents();
            queue.Done(key);
        }
    }
}
