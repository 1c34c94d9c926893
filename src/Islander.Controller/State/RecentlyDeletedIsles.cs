namespace Islander.Controller.State;

/// <summary>
/// The last committed record of each of the <c>kept</c> isles deleted last (<see cref="StateStore.DeletedIsle"/>), the
/// oldest forgotten first. A watch reads an isle's record here as soon as it hears of the deletion, so the one deleted
/// just now must always be here: emptying the whole set when it was full lost, once in some thousands of one-shots, the
/// exit of an isle deleted a moment before, and <c>islanderctl run --rm</c> said it "was deleted while it ran".
/// </summary>
sealed class RecentlyDeletedIsles(int kept)
{
    readonly Lock _lock = new();
    readonly Dictionary<string, (IsleRecord Record, long Order)> _records = new(StringComparer.Ordinal);
    readonly Queue<(string Name, long Order)> _order = new();
    long _added;

    public void Add(string name, IsleRecord record)
    {
        lock (_lock)
        {
            long order = ++_added;
            _records[name] = (record, order);
            _order.Enqueue((name, order));
            while (_order.Count > kept)
            {
                // An entry whose name was deleted again later, or saved since, is only dropped from the queue.
                var (oldest, added) = _order.Dequeue();
                if (_records.TryGetValue(oldest, out var r) && r.Order == added)
                    _records.Remove(oldest);
            }
        }
    }

    /// <summary>An isle of that name was saved: what the deleted one left is no longer its last state.</summary>
    public void Remove(string name)
    {
        lock (_lock) _records.Remove(name);
    }

    public IsleRecord? Get(string name)
    {
        lock (_lock) return _records.TryGetValue(name, out var r) ? r.Record : null;
    }

    public void Clear()
    {
        lock (_lock)
        {
            _records.Clear();
            _order.Clear();
        }
    }
}
