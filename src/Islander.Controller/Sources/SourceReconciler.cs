using System.Collections.Concurrent;
using System.Text.Json;
using Islander.Controller.Desired;
using Islander.Controller.Events;
using Islander.Controller.Hosting;
using Islander.Controller.Reconcile;
using Islander.Controller.State;
using Islander.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Islander.Controller.Sources;

/// <summary>
/// The pass of a <c>kind: Source</c>: fetch its ref (every <c>interval</c>, at once after a spec change or a webhook),
/// check the revision's tree under <c>path</c> out, load it whole (<see cref="ManifestTree"/>, confined to the tree),
/// and apply it as one revision: the objects of <c>source/NAME</c> become exactly what it defines
/// (<see cref="DesiredStore.Replace"/>, with the source's prune). A revision with any problem is refused whole, and a
/// fetch that fails, a missing path or an unreachable remote applies nothing: the last applied revision stays desired,
/// nothing is pruned, and the status says why (Ready=False with the reason, as Flux). A source that goes takes its
/// objects with it (or releases them, when its prune was false).
/// </summary>
public sealed class SourceReconciler(
    DesiredStore desired, StateStore store, EventRecorder events, IManifestParser parser, SourceFetches fetches, TimeProvider time,
    IOptions<DaemonOptions> options, ILogger<SourceReconciler> log) : IReconciler
{
    /// <summary>At most this many problems of a refused revision are in its status message (the count says how many more).</summary>
    const int ProblemsShown = 10;

    readonly GitRepositories _repositories = new(Path.Combine(options.Value.State, "sources"));
    readonly ConcurrentDictionary<string, ManifestTree> _trees = new(StringComparer.Ordinal);

    public ObjectKind Kind => ObjectKind.Source;

    public static ObjectKey Key(string name) => new(ObjectKind.Source, name);

    public async Task<ReconcileResult> ReconcileAsync(string name, CancellationToken cancellationToken)
    {
        var key = Key(name);
        var owner = DesiredOwner.Source(name);
        var entry = desired.Get(key);
        var record = store.GetSource(name);
        if (entry is null)
        {
            Remove(name, owner, record);
            return ReconcileResult.Done;
        }
        if (entry.Object is null) return ReconcileResult.Done; // never valid: its problems are on it, there is nothing to fetch

        var spec = SpecJson.To<SourceSpec>(entry.Object.Spec);
        var now = time.GetUtcNow();
        record ??= new SourceRecord { Name = name, Reason = SourceReasons.Progressing, Message = "not fetched yet", TransitionAt = now };
        bool specChanged = record.AttemptedSpec != entry.Object.ContentHash;
        bool requested = fetches.Take(name);
        if (!specChanged && !requested && record.AttemptedAt is { } last && now < last + spec.Git.Interval)
            return ReconcileResult.After(last + spec.Git.Interval - now);

        record.AttemptedAt = now;
        record.Prune = spec.Prune;
        try
        {
            var revision = await _repositories.FetchAsync(name, spec.Git, cancellationToken).ConfigureAwait(false);
            record.FetchedRevision = revision.ToString();
            record.FetchedAt = time.GetUtcNow();
            if (specChanged || record.AttemptedRevision != record.FetchedRevision)
                await LoadAsync(name, owner, spec, revision, record, entry.Object.ContentHash, cancellationToken).ConfigureAwait(false);
            else if (!record.Ready && record.Reason == SourceReasons.FetchFailed)
                Condition(key, record, true, SourceReasons.Applied, $"fetched again; revision {record.AppliedRevision} stays applied");
        }
        catch (SourceException e)
        {
            var stays = record.AppliedRevision is { } applied ? $"; revision {applied} stays applied, nothing is pruned" : "; nothing is applied until a fetch succeeds";
            Condition(key, record, false, e.Reason, e.Message + stays);
        }
        store.SaveSource(record);
        store.FlushEvents();
        return ReconcileResult.After(spec.Git.Interval);
    }

    async Task LoadAsync(string name, DesiredOwner owner, SourceSpec spec, SourceRevision revision, SourceRecord record, string specHash, CancellationToken ct)
    {
        var key = Key(name);
        var tree = await _repositories.CheckoutAsync(name, spec.Git, revision, ct).ConfigureAwait(false);
        // Confined: a repository's author may not point a manifest at a host file and have its lines quoted in errors.
        var snapshot = _trees.GetOrAdd(name, _ => new ManifestTree(parser, confined: true)).Load(tree, spec.Git.Path);
        record.AttemptedRevision = revision.ToString();
        record.AttemptedSpec = specHash;
        if (!snapshot.IsAvailable || !snapshot.IsValid)
        {
            var problems = snapshot.Problems;
            var shown = string.Join("; ", problems.Take(ProblemsShown)) + (problems.Count > ProblemsShown ? $"; and {problems.Count - ProblemsShown} more" : "");
            foreach (var problem in problems) log.LogWarning("Source {Source}: revision {Revision}: {Problem}", name, revision.Short, problem);
            Condition(key, record, false, SourceReasons.InvalidRevision,
                $"revision {revision.Short} refused whole ({problems.Count} problem{(problems.Count == 1 ? "" : "s")}): {shown}" +
                (record.AppliedRevision is { } applied ? $"; revision {applied} stays applied, nothing is pruned" : "; nothing is applied"));
            _repositories.PruneTrees(name, record.AppliedTree is { } kept ? [kept] : []);
            return;
        }
        var changed = desired.Replace(owner, snapshot.Results, spec.Prune);
        record.AppliedRevision = revision.ToString();
        record.AppliedAt = time.GetUtcNow();
        record.AppliedTree = tree;
        _repositories.PruneTrees(name, [tree]);
        var count = desired.Owned(owner).Count;
        log.LogInformation("Source {Source}: applied revision {Revision} ({Objects} objects, {Changed} changed)", name, revision, count, changed.Count);
        Condition(key, record, true, SourceReasons.Applied, $"applied revision {revision}: {count} object{(count == 1 ? "" : "s")}, {changed.Count} changed");
    }

    /// <summary>The Ready condition; an event when it or its message changes (not at every interval).</summary>
    void Condition(ObjectKey key, SourceRecord record, bool ready, string reason, string message)
    {
        if (record.Ready == ready && record.Reason == reason && record.Message == message) return;
        if (record.Ready != ready) record.TransitionAt = time.GetUtcNow();
        record.Ready = ready;
        record.Reason = reason;
        record.Message = message;
        events.Record(key, ready ? EventType.Normal : EventType.Warning, reason, message);
        if (!ready) log.LogWarning("Source {Source}: {Reason}: {Message}", key.Name, reason, message);
    }

    /// <summary>The source is no longer desired: its objects are pruned (or released, if its prune was false), its repository removed.</summary>
    void Remove(string name, DesiredOwner owner, SourceRecord? record)
    {
        var prune = record?.Prune ?? true;
        var changed = desired.Replace(owner, [], prune);
        if (changed.Count > 0)
            log.LogInformation("Source {Source} removed: {Count} of its objects {What}", name, changed.Count, prune ? "pruned" : "released to the API");
        _trees.TryRemove(name, out _);
        _repositories.Remove(name);
        if (record is not null) store.DeleteSource(name);
    }
}
