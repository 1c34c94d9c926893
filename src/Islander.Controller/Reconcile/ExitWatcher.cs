using Islander.Model;
using System.Collections.Concurrent;
using Islander.Controller.Desired;
using Islander.Controller.Ports;

namespace Islander.Controller.Reconcile;

/// <summary>
/// Turns process exits into reconcile keys: one <see cref="IIsleRuntime.WaitForExitAsync"/> per running isle
/// (a pidfd poll in the real runtime), which adds the isle's key when it ends. This is how a killed isle is noticed
/// at once rather than at the next resync.
/// </summary>
public sealed class ExitWatcher(IIsleRuntime runtime, ReconcileQueue queue) : IDisposable
{
    readonly ConcurrentDictionary<string, CancellationTokenSource> _watches = new();
    readonly Lock _delivery = new();

    /// <summary>Starts watching <paramref name="name"/> if it runs, stops if not. Idempotent.</summary>
    public void Sync(string name, bool running)
    {
        if (!running)
        {
            if (_watches.TryRemove(name, out var old)) old.Cancel();
            return;
        }
        var cts = new CancellationTokenSource();
        if (!_watches.TryAdd(name, cts)) { cts.Dispose(); return; }
        // The watch lasts as long as the isle runs: it does not keep the execution context of the pass that began it
        // (that pass's logging scope, about 0.7 KiB an isle); what runs after the exit only queues the isle's key.
        using (ExecutionContext.SuppressFlow())
            _ = WatchAsync(name, cts);
    }

    async Task WatchAsync(string name, CancellationTokenSource cts)
    {
        try
        {
            await runtime.WaitForExitAsync(name, cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e) when (e is Model.IslanderException or IOException)
        {
            // Could not wait (pidfd_open failed): the periodic resync still notices the exit.
        }
        lock (_delivery)
        {
            _watches.TryRemove(new KeyValuePair<string, CancellationTokenSource>(name, cts));
            queue.Add(ObjectKey.Isle(name));
        }
    }

    /// <summary>
    /// True while some watched isle for which <paramref name="ended"/> holds has not had its key queued yet: its exit
    /// happened but the watch's continuation has not run. Lets a caller (a test over a fake runtime) wait for
    /// exits to be delivered instead of guessing how long the thread pool takes.
    /// </summary>
    public bool HasUndelivered(Func<string, bool> ended)
    {
        lock (_delivery) return _watches.Keys.Any(ended);
    }

    public void Dispose()
    {
        foreach (var cts in _watches.Values) cts.Cancel();
        _watches.Clear();
    }
}
