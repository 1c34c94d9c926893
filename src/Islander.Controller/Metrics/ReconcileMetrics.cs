using Islander.Model;

namespace Islander.Controller.Metrics;

/// <summary>
/// What the reconcile loop reports about itself: pass durations (a histogram per kind), failed passes per kind, the
/// passes in flight and when a pass last finished (for <c>/healthz</c>), and whether the first full enqueue was done
/// (for <c>/readyz</c>). Written by <see cref="Reconcile.ReconcileLoop"/>, read by <see cref="MetricsEndpoints"/>.
/// </summary>
public sealed class ReconcileMetrics
{
    /// <summary>
    /// Upper bounds in seconds: most passes take milliseconds (a LiteDB commit is about 12 ms), a start with an image
    /// pull or a stop waiting for its isle's stopTimeout takes seconds to minutes.
    /// </summary>
    public static readonly double[] Buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

    readonly object _lock = new();
    readonly TimeProvider _time;
    readonly Dictionary<ObjectKind, Histogram> _durations = new();
    readonly Dictionary<ObjectKind, long> _errors = new();
    int _inFlight;
    DateTimeOffset _lastFinished;

    public ReconcileMetrics(TimeProvider time)
    {
        _time = time;
        _lastFinished = time.GetUtcNow(); // a loop that never finishes a pass is stuck from its start on
        foreach (var kind in Enum.GetValues<ObjectKind>())
        {
            _durations[kind] = new Histogram(new long[Buckets.Length], 0, 0);
            _errors[kind] = 0;
        }
    }

    /// <summary>A pass began; returns its start time for <see cref="PassEnded"/>.</summary>
    public long PassStarted()
    {
        lock (_lock) _inFlight++;
        return _time.GetTimestamp();
    }

    /// <summary>A pass ended (done, requeued, terminal: <paramref name="failed"/> false; thrown: true).</summary>
    public void PassEnded(ObjectKind kind, long started, bool failed)
    {
        double seconds = _time.GetElapsedTime(started).TotalSeconds;
        lock (_lock)
        {
            _inFlight--;
            _lastFinished = _time.GetUtcNow();
            var h = _durations[kind];
            for (int i = 0; i < Buckets.Length; i++)
                if (seconds <= Buckets[i]) h.Counts[i]++;
            _durations[kind] = h with { Count = h.Count + 1, Sum = h.Sum + seconds };
            if (failed) _errors[kind]++;
        }
    }

    /// <summary>Every key was enqueued once (the daemon's start): until then the daemon does not know its own state.</summary>
    public void FullEnqueueDone() => Volatile.Write(ref _fullEnqueueDone, true);

    bool _fullEnqueueDone;

    public bool FullEnqueueWasDone => Volatile.Read(ref _fullEnqueueDone);

    /// <summary>A consistent copy of the counters.</summary>
    public Snapshot Read()
    {
        lock (_lock)
            return new Snapshot(
                _durations.ToDictionary(p => p.Key, p => p.Value with { Counts = (long[])p.Value.Counts.Clone() }),
                new Dictionary<ObjectKind, long>(_errors), _inFlight, _lastFinished);
    }

    /// <summary>Cumulative counts per bucket of <see cref="Buckets"/> (Prometheus' <c>le</c>), the count and the sum.</summary>
    public sealed record Histogram(long[] Counts, long Count, double Sum);

    public sealed record Snapshot(
        IReadOnlyDictionary<ObjectKind, Histogram> Durations, IReadOnlyDictionary<ObjectKind, long> Errors, int InFlight, DateTimeOffset LastFinished);
}
