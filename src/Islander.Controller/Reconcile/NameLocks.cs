using System.Collections.Concurrent;

namespace Islander.Controller.Reconcile;

/// <summary>
/// One lock per object name, so that work on one network (or volume) never waits for work on another. The lock objects
/// are kept for the daemon's life: there are as many as names ever seen, a few dozen.
/// </summary>
public sealed class NameLocks
{
    readonly ConcurrentDictionary<string, object> _locks = new(StringComparer.Ordinal);

    /// <summary>The lock of <paramref name="name"/> (always the same object for the same name; reentrant, as every <c>lock</c>).</summary>
    public object For(string name) => _locks.GetOrAdd(name, _ => new object());
}
