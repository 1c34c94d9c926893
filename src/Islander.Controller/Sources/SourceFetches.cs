using System.Collections.Concurrent;
using Islander.Controller.Reconcile;
using Islander.Model;

namespace Islander.Controller.Sources;

/// <summary>
/// Fetches asked for now (the webhook, <c>POST sources/NAME/fetch</c>): the source's next pass fetches whatever its
/// interval says, and the pass is queued at once.
/// </summary>
public sealed class SourceFetches(ReconcileQueue queue)
{
    readonly ConcurrentDictionary<string, bool> _requested = new(StringComparer.Ordinal);

    public void Request(string source)
    {
        _requested[source] = true;
        queue.Add(new ObjectKey(ObjectKind.Source, source));
    }

    /// <summary>True once per request: whether the pass must fetch now.</summary>
    public bool Take(string source) => _requested.TryRemove(source, out _);
}
