namespace Islander.Controller.Desired;

/// <summary>
/// Waits for a burst of file events to end: <see cref="WaitAsync"/> returns once no <see cref="Poke"/> came for
/// <paramref name="quiet"/>, or <paramref name="cap"/> after the burst's first poke should pokes never stop (an endless
/// writer is still scanned, every cap), or at once after <see cref="PokeNow"/> (a tree swapped whole needs no wait).
/// Times come from the pokes themselves, not from when the waiting task runs, so a late continuation on a loaded
/// machine neither shortens nor stretches the wait.
/// </summary>
public sealed class QuietPeriod(TimeProvider time, TimeSpan quiet, TimeSpan cap)
{
    readonly SemaphoreSlim _signal = new(0);
    readonly object _lock = new();
    DateTimeOffset? _first;
    DateTimeOffset _last;
    bool _now;

    /// <summary>Something changed: the burst goes on.</summary>
    public void Poke() => Record(urgent: false);

    /// <summary>Something changed that is complete already (an atomic swap): the wait ends at once.</summary>
    public void PokeNow() => Record(urgent: true);

    void Record(bool urgent)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            _first ??= now;
            _last = now;
            _now |= urgent;
        }
        _signal.Release();
    }

    /// <summary>
    /// Waits for a burst to end, or <paramref name="idle"/> without any poke (then returns false: a periodic resync).
    /// The burst ends when this returns: pokes from then on start the next one.
    /// </summary>
    public async Task<bool> WaitAsync(TimeSpan idle, CancellationToken cancel)
    {
        if (!HasBurst())
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            // Both waits end with the stop token: a WaitAsync left pending would swallow the next poke.
            var signalled = _signal.WaitAsync(stop.Token);
            var woke = await Task.WhenAny(signalled, Task.Delay(idle, time, stop.Token)).ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            cancel.ThrowIfCancellationRequested();
            if (woke != signalled || !HasBurst()) return false;
        }
        while (true)
        {
            TimeSpan wait;
            lock (_lock)
            {
                var due = _now ? time.GetUtcNow() : Min(_last + quiet, _first!.Value + cap);
                wait = due - time.GetUtcNow();
                if (wait <= TimeSpan.Zero)
                {
                    _first = null;
                    _now = false;
                    while (_signal.CurrentCount > 0) _signal.Wait(0, CancellationToken.None);
                    return true;
                }
            }
            // A later poke moves the end: wake for it only when it is urgent, else recompute when this delay ends.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            await Task.WhenAny(_signal.WaitAsync(stop.Token), Task.Delay(wait, time, stop.Token)).ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            cancel.ThrowIfCancellationRequested();
        }
    }

    bool HasBurst()
    {
        lock (_lock) return _first is not null;
    }

    static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
