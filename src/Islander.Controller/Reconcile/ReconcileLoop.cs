using Islander.Model;
using Islander.Controller.Desired;
using Islander.Controller.Hosting;
using Islander.Controller.Metrics;
using Islander.Controller.State;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Islander.Controller.Reconcile;

/// <summary>
/// Runs reconcile passes: <see cref="DaemonOptions.Workers"/> workers take keys from the <see cref="ReconcileQueue"/>
/// (never the same key twice at once), each pass in a log scope with Isle and ReconcileId. The one broad catch of
/// the daemon is here: it logs and requeues with per-key back-off. Also enqueues every key at start (re-adopting
/// isles recorded before a restart) and every <see cref="DaemonOptions.Resync"/>. A pass goes to the
/// <see cref="IReconciler"/> of its key's kind; the loop knows queues and back-off, never kinds.
/// </summary>
public sealed class ReconcileLoop(
    ReconcileQueue queue, IEnumerable<IReconciler> reconcilers, DesiredStore desired, StateStore store, TimeProvider time,
    IOptions<DaemonOptions> options, ReconcileMetrics metrics, ILogger<ReconcileLoop> log) : BackgroundService
{
    readonly Dictionary<ObjectKind, IReconciler> _reconcilers = reconcilers.ToDictionary(r => r.Kind);
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
    }

    /// <summary>Every desired key and every key with a record (so removed objects get pruned).</summary>
    public void EnqueueAll()
    {
        foreach (var entry in desired.List()) queue.Add(entry.Key);
        foreach (var record in store.Isles()) queue.Add(ObjectKey.Isle(record.Name));
        foreach (var record in store.Networks()) queue.Add(new ObjectKey(ObjectKind.Network, record.Name));
        foreach (var record in store.Volumes()) queue.Add(new ObjectKey(ObjectKind.Volume, record.Name));
        foreach (var record in store.Sources()) queue.Add(new ObjectKey(ObjectKind.Source, record.Name));
        metrics.FullEnqueueDone();
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
        var started = metrics.PassStarted();
        bool failed = false;
        try
        {
            var result = await _reconcilers[key.Kind].ReconcileAsync(key.Name, cancellationToken).ConfigureAwait(false);
            queue.Forget(key);
            if (result.RequeueAfter is { } delay) queue.AddAfter(key, delay);
        }
        catch (TerminalReconcileException e)
        {
            queue.Forget(key); // not retried: the reconciler recorded it in the object's status
            log.LogDebug("Reconcile of {Object} is terminal: {Reason}: {Message}", key, e.Reason, e.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down: the pass is finished by the next daemon, every step being idempotent.
        }
        catch (Exception e)
        {
            failed = true;
            var delay = queue.Failed(key);
            log.LogWarning(e, "Reconcile of {Object} failed (attempt {Attempt}); retrying in {Delay}", key, queue.Failures(key), delay);
            queue.AddAfter(key, delay);
        }
        finally
        {
            metrics.PassEnded(key.Kind, started, failed);
            store.FlushEvents();
            queue.Done(key);
        }
    }
}
