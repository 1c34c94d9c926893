using Islander.Model;
using System.Threading.Channels;
using Islander.Controller.Desired;
using Islander.Controller.State;

namespace Islander.Controller.Events;

/// <summary>
/// Records events in the store and hands them to every watcher (<c>islanderctl events -w</c>).
/// Does not log: the code that decides something happened logs it once.
/// </summary>
public sealed class EventRecorder(StateStore store, TimeProvider time)
{
    readonly object _lock = new();
    readonly List<Channel<EventRecord>> _watchers = new();

    /// <summary>
    /// Records an event. <paramref name="save"/>, when given, saves the state the event reports (one commit with the
    /// event) before any watcher hears of it: a client that reads the object when the event arrives (islanderctl run
    /// waits that way) must see the new state, not the one before.
    /// </summary>
    public EventRecord Record(ObjectKey key, EventType type, string reason, string message, Action? save = null)
    {
        var e = new EventRecord { Time = time.GetUtcNow(), Type = type, Kind = key.Kind.ToString(), Name = key.Name, Reason = reason, Message = message };
        lock (_lock)
        {
            store.AddEvent(e);
            save?.Invoke();
            foreach (var w in _watchers) w.Writer.TryWrite(e);
        }
        return e;
    }

    public IReadOnlyList<EventRecord> Recent(int limit = StateStore.EventLimit) => store.Events(limit);

    /// <summary>The stored events, then every new one until cancelled; no event is lost or repeated in between.</summary>
    public async IAsyncEnumerable<EventRecord> WatchAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var subscription = Subscribe(history: true);
        await foreach (var e in subscription.ReadAsync(cancellationToken)) yield return e;
    }

    /// <summary>
    /// Starts hearing of events now (before this returns), with the stored ones first when <paramref name="history"/>.
    /// A client that waits for one object (<c>islanderctl run</c>) asks for no history and reads the object once its
    /// watch is answered: an event is then either in the object it reads or in the stream, and the store's events
    /// (up to <see cref="StateStore.EventLimit"/>) are neither read nor sent for each run.
    /// </summary>
    public EventSubscription Subscribe(bool history)
    {
        var channel = Channel.CreateBounded<EventRecord>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest });
        IReadOnlyList<EventRecord> past;
        lock (_lock)
        {
            past = history ? store.Events() : [];
            _watchers.Add(channel);
        }
        return new EventSubscription(past, channel.Reader, () => { lock (_lock) _watchers.Remove(channel); });
    }
}
