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

    /// <summary>Events recorded whose watchers have not heard of them yet, oldest (lowest id) first.</summary>
    readonly Queue<Unheard> _unheard = new();

    sealed class Unheard(EventRecord e)
    {
        public EventRecord Event => e;
        public bool Ready { get; set; }
        public bool Failed { get; set; }
    }

    /// <summary>
    /// Records an event. <paramref name="save"/>, when given, saves the state the event reports (one commit with the
    /// event) before any watcher hears of it: a client that reads the object when the event arrives (islanderctl run
    /// waits that way) must see the new state, not the one before, and a daemon killed or a power cut after the event
    /// must find that state. The commit is made under this recorder's lock (so events are committed in the order of
    /// their ids), its sync waited for outside it (<see cref="StateStore.Unsynced"/>): events recorded at once share
    /// fsyncs. Watchers hear each event once it and every earlier one are durable, in the order of their ids.
    /// </summary>
    public EventRecord Record(ObjectKey key, EventType type, string reason, string message, Action? save = null)
    {
        var (e, heard) = Commit(key, type, reason, message, save);
        heard();
        return e;
    }

    /// <summary>
    /// <see cref="Record"/>'s commit alone: the event and <paramref name="save"/> are committed when this returns (a
    /// refused write, a full disk, throws here), and the returned action waits for their sync, then lets the watchers
    /// hear of the event. Call it exactly once, on any thread: a start leaves its Creating commit's sync to run beside
    /// the start, and waits for it before its next save of the record (<see cref="Reconcile.IsleReconciler"/>).
    /// </summary>
    public (EventRecord Event, Action Heard) Commit(ObjectKey key, EventType type, string reason, string message, Action? save = null)
    {
        var e = new EventRecord { Time = time.GetUtcNow(), Type = type, Kind = key.Kind.ToString(), Name = key.Name, Reason = reason, Message = message };
        var unheard = new Unheard(e);
        StateStore.UnsyncedWrites? writes = null;
        lock (_lock)
        {
            store.AddEvent(e);
            if (save is not null) writes = store.Unsynced(save);
            unheard.Ready = writes is null;
            _unheard.Enqueue(unheard);
        }
        return (e, () => Heard(unheard, writes));
    }

    void Heard(Unheard unheard, StateStore.UnsyncedWrites? writes)
    {
        try
        {
            writes?.WaitDurable();
        }
        catch
        {
            unheard.Failed = true; // as when the save itself fails: watchers do not hear of it
            throw;
        }
        finally
        {
            lock (_lock)
            {
                unheard.Ready = true;
                while (_unheard.TryPeek(out var next) && next.Ready)
                {
                    _unheard.Dequeue();
                    if (!next.Failed)
                        foreach (var w in _watchers) w.Writer.TryWrite(next.Event);
                }
            }
        }
    }

    /// <summary>
    /// The stored events, those whose sync is under way among them: a store batch shows its changes at once, so a client
    /// that saw an isle go (its record's deletion and its Deleted event are one batch) finds that event in the list.
    /// </summary>
    public IReadOnlyList<EventRecord> Recent(int limit = StateStore.EventLimit)
    {
        lock (_lock) return store.Events(limit);
    }

    /// <summary>
    /// The stored events up to the first one watchers have not heard of yet, under <see cref="_lock"/>: a watch's
    /// history, which its stream continues without a gap or a repeat.
    /// </summary>
    IReadOnlyList<EventRecord> Heard(int limit = StateStore.EventLimit)
    {
        if (!_unheard.TryPeek(out var first)) return store.Events(limit);
        var heard = store.Events(limit + _unheard.Count).Where(x => x.Id < first.Event.Id).ToList();
        return heard.Count > limit ? heard[^limit..] : heard;
    }

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
            past = history ? Heard() : [];
            _watchers.Add(channel);
        }
        return new EventSubscription(past, channel.Reader, () => { lock (_lock) _watchers.Remove(channel); });
    }
}
