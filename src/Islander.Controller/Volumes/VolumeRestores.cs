using Islander.Model;

namespace Islander.Controller.Volumes;

/// <summary>
/// Restore coordination: which volumes are being restored, and how many starts that mount each are in flight. A start
/// registers before it finds its volumes (and fails, Transient, on a volume being restored); a restore marks its volume,
/// then waits until no start that mounts it is in flight. One short lock over both sets, never held across a kernel call.
/// </summary>
public sealed class VolumeRestores
{
    readonly Lock _lock = new();
    readonly Dictionary<string, int> _starting = new(StringComparer.Ordinal);
    readonly HashSet<string> _restoring = new(StringComparer.Ordinal);

    /// <summary>Whether the volume is being restored (its pass leaves its status alone; its isles wait).</summary>
    public bool IsRestoring(string volume)
    {
        lock (_lock) return _restoring.Contains(volume);
    }

    /// <summary>
    /// A start that mounts <paramref name="volumes"/> begins: dispose the result once it ended. Throws Transient when
    /// one of them is being restored.
    /// </summary>
    public IDisposable Starting(IReadOnlyList<string> volumes)
    {
        lock (_lock)
        {
            if (volumes.FirstOrDefault(_restoring.Contains) is { } restoring)
                throw new IslanderException($"volume {restoring} is not ready", ErrorCategory.Transient);
            foreach (var name in volumes) _starting[name] = _starting.GetValueOrDefault(name) + 1;
        }
        return new InFlight(this, volumes);
    }

    /// <summary>Marks the volume as being restored; Conflict when it already is.</summary>
    public void Mark(string volume)
    {
        lock (_lock)
            if (!_restoring.Add(volume))
                throw new IslanderException($"volume {volume} is already being restored", ErrorCategory.Conflict);
    }

    /// <summary>Returns once no start that mounts the volume is in flight.</summary>
    public async Task WaitForStartsAsync(string volume, CancellationToken cancellationToken)
    {
        while (true)
        {
            lock (_lock)
                if (_starting.GetValueOrDefault(volume) == 0)
                    return;
            await Task.Delay(10, cancellationToken);
        }
    }

    /// <summary>The restore ended (done or failed).</summary>
    public void Unmark(string volume)
    {
        lock (_lock) _restoring.Remove(volume);
    }

    sealed class InFlight(VolumeRestores restores, IReadOnlyList<string> names) : IDisposable
    {
        int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
                return;
            lock (restores._lock)
                foreach (var name in names)
                    if (restores._starting.GetValueOrDefault(name) is var n and > 1) restores._starting[name] = n - 1;
                    else restores._starting.Remove(name);
        }
    }
}
