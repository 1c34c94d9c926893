using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Islander.Controller.State;

namespace Islander.Controller.Events;

/// <summary>
/// A watcher registered with the <see cref="EventRecorder"/> (<see cref="EventRecorder.Subscribe"/>): the events it was
/// given at the start, then every new one. Disposing it unregisters it.
/// </summary>
public sealed class EventSubscription(IReadOnlyList<EventRecord> past, ChannelReader<EventRecord> next, Action unregister) : IDisposable
{
    int _disposed;

    public async IAsyncEnumerable<EventRecord> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var e in past) yield return e;
        await foreach (var e in next.ReadAllAsync(cancellationToken)) yield return e;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) unregister();
    }
}
