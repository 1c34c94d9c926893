using System.Text.Json;
using System.Text.Json.Nodes;
using Islander.Controller.State;
using Islander.Model;

namespace Islander.Controller.Desired;

/// <summary>
/// Every desired object, from the manifests directory and from the API, with generations and manifest problems.
/// Persisted in the <see cref="StateStore"/>. Raises <see cref="Changed"/> for each key whose desired state or
/// problems changed; that is all the reconciler hears (level-triggered).
/// </summary>
public sealed class DesiredStore
{
    readonly object _lock = new();
    readonly Dictionary<ObjectKey, DesiredEntry> _entries = new();
    readonly StateStore _store;
    readonly TimeProvider _time;

    public DesiredStore(StateStore store, TimeProvider time)
    {
        _store = store;
        _time = time;
        foreach (var r in store.DesiredRecords())
        {
            if (!ObjectKey.TryParse(r.Id, out var key)) continue;
            DesiredObject? obj = null;
            if (r.SpecJson is not null)
            {
                var spec = JsonNode.Parse(r.SpecJson)!.AsObject();
                obj = new DesiredObject(key, r.Labels, spec, key.Kind == ObjectKind.Isle ? SpecJson.ToIsle(spec) : null, r.Source);
            }
            _entries[key] = new DesiredEntry(key, r.Origin, r.Generation, obj, r.Problems, r.CreatedAt);
        }
    }

    /// <summary>Raised outside the lock, once per changed key.</summary>
    public event Action<ObjectKey>? Changed;

    public DesiredEntry? Get(ObjectKey key) { lock (_lock) return _entries.GetValueOrDefault(key); }

    public IReadOnlyList<DesiredEntry> List(ObjectKind? kind = null)
    {
        lock (_lock) return _entries.Values.Where(e => kind is null || e.Key.Kind == kind).OrderBy(e => e.Key).ToList();
    }

    /// <summary>The isles whose spec lists <paramref name="name"/> in dependsOn.</summary>
    public IReadOnlyList<string> Dependents(string name)
    {
        lock (_lock)
            return _entries.Values.Where(e => e.Object?.Isle?.DependsOn.Contains(name) == true).Select(e => e.Key.Name).ToList();
    }

    /// <summary>The isles whose spec names <paramref name="key"/>: a network or volume they use, or an isle they depend on.</summary>
    public IReadOnlyList<string> Referencing(ObjectKey key)
    {
        lock (_lock)
            return _entries.Values.Where(e => e.Object?.Isle is { } spec && key.Kind switch
            {
                ObjectKind.Network => spec.Networks.Any(n => n.Name == key.Name),
                ObjectKind.Volume => spec.Volumes.Any(v => v.Name == key.Name),
                _ => spec.DependsOn.Contains(key.Name),
            }).Select(e => e.Key.Name).ToList();
    }

    /// <summary>
    /// Every valid desired object in the Model's terms, with <paramref name="overrides"/> in place of the objects of the
    /// same keys (a dry-run apply). For a whole-state <see cref="StateDiff.Diff"/>; the reconciler asks per isle instead.
    /// </summary>
    public DesiredState ToModel(IEnumerable<DesiredObject> overrides)
    {
        var objects = new Dictionary<ObjectKey, DesiredObject>();
        lock (_lock)
            foreach (var entry in _entries.Values)
                if (entry.Object is { } obj) objects[entry.Key] = obj;
        foreach (var obj in overrides) objects[obj.Key] = obj;
        return DesiredState.From(objects.Values.OrderBy(o => o.Key).Select(ToManifest));
    }

    static Manifest ToManifest(DesiredObject obj)
    {
        var meta = new ObjectMeta(obj.Name) { Labels = new SortedDictionary<string, string>(obj.Labels.ToDictionary(), StringComparer.Ordinal) };
        return obj.Key.Kind switch
        {
            ObjectKind.Isle => new IsleManifest(meta, obj.Isle ?? SpecJson.ToIsle(obj.Spec), ManifestSource.None),
            ObjectKind.Network => new NetworkManifest(meta, obj.Spec.Deserialize<NetworkSpec>(SpecJson.Options)!, ManifestSource.None),
            _ => new VolumeManifest(meta, obj.Spec.Deserialize<VolumeSpec>(SpecJson.Options)!, ManifestSource.None),
        };
    }

    /// <summary>
    /// Replaces the objects that come from manifest files with what the files hold now. A key defined by two files,
    /// or rejected, keeps its last good version and gets the problem; a key whose file has an unreadable part is not
    /// pruned; a key no file defines any more is removed (prune).
    /// </summary>
    public IReadOnlyList<ObjectKey> ReplaceFiles(IReadOnlyList<(string File, ManifestLoadResult<DesiredObject> Result)> files)
    {
        var definitions = new Dictionary<ObjectKey, List<(string File, DesiredObject Object)>>();
        var problems = new Dictionary<ObjectKey, List<string>>();
        var incomplete = new Dictionary<string, IReadOnlyList<Diagnostic>>();
        foreach (var (file, result) in files)
        {
            foreach (var obj in result.Objects) Add(definitions, obj.Key, (file, obj));
            foreach (var key in result.Rejected) AddRange(problems, key, result.Diagnostics.Select(p => p.ToString()));
            if (!result.IsComplete) incomplete[file] = result.Diagnostics;
        }

        var changed = new List<ObjectKey>();
        lock (_lock)
            _store.Batch(() =>
        {
            var keys = _entries.Where(e => !e.Value.FromApi).Select(e => e.Key).Concat(definitions.Keys).Concat(problems.Keys).Distinct().ToList();
            foreach (var key in keys)
            {
                var entry = _entries.GetValueOrDefault(key);
                var defs = definitions.GetValueOrDefault(key) ?? [];
                var keyProblems = problems.GetValueOrDefault(key) ?? [];
                var definers = defs.Select(d => d.Object.Source).Concat(keyProblems.Count > 0 ? files.Where(f => f.Result.Rejected.Contains(key)).Select(f => f.File) : []).Distinct().ToList();
                DesiredEntry? next;
                if (entry is { FromApi: true } && (defs.Count > 0 || keyProblems.Count > 0))
                    next = entry with { Problems = [$"{string.Join(", ", definers)}: {key} was applied through the API; delete it there (islanderctl delete {key.Kind.ToString().ToLowerInvariant()} {key.Name}) or remove it from this file"] };
                else if (entry is { FromApi: true })
                    next = entry with { Problems = [] };
                else if (definers.Count > 1)
                    next = Keep(entry, key, defs.Count > 0 ? defs[0].File : files.First(f => f.Result.Rejected.Contains(key)).File, [$"{key} is defined more than once ({string.Join(", ", definers)}); none of them is applied until only one is left"]);
                else if (keyProblems.Count > 0)
                    next = Keep(entry, key, files.First(f => f.Result.Rejected.Contains(key)).File, keyProblems);
                else if (defs.Count == 1)
                    next = Accept(entry, key, defs[0].File, defs[0].Object);
                else if (entry is not null && incomplete.TryGetValue(entry.Origin, out var fileProblems))
                    next = entry with { Problems = fileProblems.Select(p => p.ToString()).ToList() };
                else
                    next = null;
                if (Update(key, entry, next)) changed.Add(key);
            }
        });
        RaiseChanged(changed);
        return changed;
    }

    /// <summary>
    /// The manifests directory cannot be listed (<see cref="ManifestFiles.Unavailable"/>): every object from a file keeps
    /// its last good version, with <paramref name="problem"/> as its only problem, until the next
    /// <see cref="ReplaceFiles"/>. Nothing is pruned. Returns the keys whose problems changed (each once).
    /// </summary>
    public IReadOnlyList<ObjectKey> HoldFiles(string problem)
    {
        var changed = new List<ObjectKey>();
        lock (_lock)
            _store.Batch(() =>
            {
                foreach (var entry in _entries.Values.Where(e => !e.FromApi).ToList())
                    if (Update(entry.Key, entry, entry with { Problems = [problem] })) changed.Add(entry.Key);
            });
        RaiseChanged(changed);
        return changed;
    }

    /// <summary>Applies one object through the API. Objects that come from a manifest file cannot be applied over.</summary>
    public ApplyOutcome Apply(DesiredObject obj)
    {
        ApplyOutcome outcome;
        lock (_lock)
        {
            var entry = _entries.GetValueOrDefault(obj.Key);
            if (entry is { FromApi: false })
                throw new IslanderException($"{obj.Key} comes from {entry.Object?.Source ?? entry.Origin}; edit that file instead", ErrorCategory.Conflict);
            outcome = entry?.Object is null ? ApplyOutcome.Created
                : entry.Object.ContentHash == obj.ContentHash && SameLabels(entry.Object, obj) ? ApplyOutcome.Unchanged
                : ApplyOutcome.Configured;
            if (outcome == ApplyOutcome.Unchanged) return outcome;
            Update(obj.Key, entry, Accept(entry, obj.Key, DesiredRecord.ApiOrigin, obj));
        }
        RaiseChanged([obj.Key]);
        return outcome;
    }

    /// <summary>
    /// Adds one object through the API if its key is free (Kubernetes' create): unlike <see cref="Apply"/>, never
    /// replaces what is there, whoever defined it. Check and add happen under one lock, so two creates of one name
    /// cannot both succeed (<c>islanderctl run --name</c> relies on this).
    /// </summary>
    /// <exception cref="IslanderException">AlreadyExists: the key is desired already (from the API or a file).</exception>
    public void Create(DesiredObject obj)
    {
        lock (_lock)
        {
            if (_entries.GetValueOrDefault(obj.Key) is { } entry)
                throw new IslanderException($"{obj.Key.Kind.ToString().ToLowerInvariant()} \"{obj.Name}\" already exists ({(entry.FromApi ? "applied through the API" : $"defined in {entry.Object?.Source ?? entry.Origin}")})", ErrorCategory.AlreadyExists);
            Update(obj.Key, null, Accept(null, obj.Key, DesiredRecord.ApiOrigin, obj));
        }
        RaiseChanged([obj.Key]);
    }

    /// <summary>Removes an object applied through the API; the reconciler then prunes what it made.</summary>
    public void Delete(ObjectKey key)
    {
        lock (_lock)
        {
            var entry = _entries.GetValueOrDefault(key) ?? throw new IslanderException($"{key} not found", ErrorCategory.NotFound);
            if (!entry.FromApi)
                throw new IslanderException($"{key} comes from {entry.Object?.Source ?? entry.Origin}; remove it from that file instead", ErrorCategory.Conflict);
            Update(key, entry, null);
        }
        RaiseChanged([key]);
    }

    DesiredEntry Accept(DesiredEntry? entry, ObjectKey key, string origin, DesiredObject obj)
    {
        long generation = entry?.Object is null ? (entry?.Generation ?? 0) + 1
            : entry.Object.ContentHash == obj.ContentHash ? entry.Generation : entry.Generation + 1;
        return new DesiredEntry(key, origin, generation, obj, [], entry?.CreatedAt ?? _time.GetUtcNow());
    }

    DesiredEntry Keep(DesiredEntry? entry, ObjectKey key, string origin, IReadOnlyList<string> problems) =>
        entry is null ? new DesiredEntry(key, origin, 0, null, problems, _time.GetUtcNow()) : entry with { Problems = problems };

    bool Update(ObjectKey key, DesiredEntry? before, DesiredEntry? after)
    {
        if (after is null)
        {
            if (before is null) return false;
            _entries.Remove(key);
            _store.DeleteDesired(key.ToString());
            return true;
        }
        if (before is not null && before.Origin == after.Origin && before.Generation == after.Generation && ReferenceEquals(before.Object, after.Object)
            && before.Problems.SequenceEqual(after.Problems))
            return false;
        if (before?.Object is { } b && after.Object is { } a && b.ContentHash == a.ContentHash && SameLabels(a, b) && before.Origin == after.Origin
            && before.Generation == after.Generation && before.Problems.SequenceEqual(after.Problems))
        {
            _entries[key] = after with { Object = b };
            return false;
        }
        _entries[key] = after;
        _store.SaveDesired(new DesiredRecord
        {
            Id = key.ToString(), Origin = after.Origin, Generation = after.Generation, SpecJson = after.Object?.Spec.ToJsonString(),
            SpecHash = after.Object?.SpecHash, Labels = after.Object?.Labels.ToDictionary() ?? new(), Source = after.Object?.Source ?? "",
            CreatedAt = after.CreatedAt, Problems = after.Problems.ToList(),
        });
        return true;
    }

    void RaiseChanged(IEnumerable<ObjectKey> keys)
    {
        foreach (var key in keys) Changed?.Invoke(key);
    }

    static bool SameLabels(DesiredObject a, DesiredObject b) =>
        a.Labels.Count == b.Labels.Count && a.Labels.All(l => b.Labels.TryGetValue(l.Key, out var v) && v == l.Value);

    static void Add<T>(Dictionary<ObjectKey, List<T>> map, ObjectKey key, T value)
    {
        if (!map.TryGetValue(key, out var list)) map[key] = list = new();
        list.Add(value);
    }

    static void AddRange(Dictionary<ObjectKey, List<string>> map, ObjectKey key, IEnumerable<string> values)
    {
        if (!map.TryGetValue(key, out var list)) map[key] = list = new();
        list.AddRange(values);
    }
}
