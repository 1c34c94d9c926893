using Islander.Model;
using System.Threading.Channels;
using Islander.Controller.Desired;

namespace Islander.Controller.Reconcile;

/// <summary>
/// The work queue (client-go's workqueue): de-duplicating, and a key being reconciled is never handed out again until
/// <see cref="Done"/>; if it is added meanwhile it comes back once after. Keys carry no event: a pass recomputes all.
/// Also tracks per-key failures for the retry delay: 200 ms doubling to 5 min.
/// </summary>
public sealed class ReconcileQueue(TimeProvider time)
{
    public static readonly TimeSpan FailureBase = TimeSpan.FromMilliseconds(200);
    public static readonly TimeSpan FailureMax = TimeSpan.FromMinutes(5);

    readonly Channel<ObjectKey> _ready = Channel.CreateUnbounded<ObjectKey>();
    readonly object _lock = new();
    readonly HashSet<ObjectKey> _queued = new();
    readonly HashSet<ObjectKey> _processing = new();
    readonly HashSet<ObjectKey> _dirty = new();
    readonly Dictionary<ObjectKey, int> _failures = new();
    readonly Dictionary<ObjectKey, (DateTimeOffset Due, ITimer Timer)> _delayed = new();
    readonly Dictionary<ObjectKey, TaskCompletionSource> _released = new();

    public void Add(ObjectKey key)
    {
        lock (_lock)
        {
            if (_processing.Contains(key)) { _dirty.Add(key); return; }
            if (!_queued.Add(key)) return;
        }
        _ready.Writer.TryWrite(key);
    }

    /// <summary>Adds the key once <paramref name="delay"/> has passed; an earlier pending due time wins.</summary>
    public void AddAfter(ObjectKey key, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero) { Add(key); return; }
        var due = time.GetUtcNow() + delay;
        lock (_lock)
        {
            if (_delayed.TryGetValue(key, out var pending))
            {
                if (pending.Due <= due) return;
                pending.Timer.Dispose();
            }
            var timer = time.CreateTimer(_ =>
            {
                lock (_lock) _delayed.Remove(key);
                Add(key);
            }, null, delay, Timeout.InfiniteTimeSpan);
            _delayed[key] = (due, timer);
        }
    }

    /// <summary>Waits for the next key and marks it as being processed.</summary>
    public async ValueTask<ObjectKey> TakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var key = await _ready.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (Begin(key)) return key;
        }
    }

    /// <summary>The next key if one is ready now.</summary>
    public bool TryTake(out ObjectKey key)
    {
        while (_ready.Reader.TryRead(out key))
            if (Begin(key)) return true;
        return false;
    }

    /// <summary>
    /// Marks <paramref name="key"/> as being processed; false when an <see cref="ExclusiveAsync{T}"/> holds it (queued
    /// before the verb took it): the pass then comes once after, as for a key added while processed.
    /// </summary>
    bool Begin(ObjectKey key)
    {
        lock (_lock)
        {
            _queued.Remove(key);
            if (!_processing.Add(key))
            {
                _dirty.Add(key);
                return false;
            }
            return true;
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/> as if it were a pass over <paramref name="key"/>: after the pass that runs now (if
    /// any) ends, and with no pass starting until it is done, then once more if the key was added meanwhile. How the
    /// API's verbs (stop, start, pause, ...) act on an isle without racing its reconcile pass: one writer per isle at a
    /// time, as the passes themselves.
    /// </summary>
    public async Task<T> ExclusiveAsync<T>(ObjectKey key, Func<Task<T>> body, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task released;
            lock (_lock)
            {
                if (_processing.Add(key)) break;
                if (!_released.TryGetValue(key, out var waiting))
                    _released[key] = waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                released = waiting.Task;
            }
            await released.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        try
        {
            return await body().ConfigureAwait(false);
        }
        finally
        {
            Done(key);
        }
    }

    /// <summary>The pass over <paramref name="key"/> ended; re-adds it if it was added meanwhile.</summary>
    public void Done(ObjectKey key)
    {
        bool again;
        TaskCompletionSource? released;
        lock (_lock)
        {
            _processing.Remove(key);
            again = _dirty.Remove(key);
            _released.Remove(key, out released);
        }
        released?.TrySetResult();
        if (again) Add(key);
    }

    /// <summary>Counts a failed pass and returns how long to wait before the next.</summary>
    public TimeSpan Failed(ObjectKey key)
    {
        int n;
        lock (_lock) n = _failures[key] = _failures.GetValueOrDefault(key) + 1;
        return Lifecycle.ExponentialBackoff.Delay(FailureBase, FailureMax, n - 1);
    }

    public int Failures(ObjectKey key) { lock (_lock) return _failures.GetValueOrDefault(key); }

    /// <summary>A pass succeeded: the next failure starts from the base delay again.</summary>
    public void Forget(ObjectKey key) { lock (_lock) _failures.Remove(key); }

    /// <summary>Keys ready and waiting for a worker (not those being processed, nor delayed ones).</summary>
    public int Depth { get { lock (_lock) return _queued.Count; } }

    /// <summary>Keys waiting or being processed (delayed ones not included).</summary>
    public bool IsIdle { get { lock (_lock) return _queued.Count == 0 && _processing.Count == 0; } }
}
