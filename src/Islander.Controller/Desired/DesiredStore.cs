using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Islander.Controller.State;
using Islander.Model;

namespace Islander.Controller.Desired;

/// <summary>
/// Every desired object, from its owner (<see cref="DesiredOwner"/>: the manifests directory, the API, a git source),
/// with generations and manifest problems.
/// Persisted in the <see cref="StateStore"/>. Raises <see cref="Changed"/> for each key whose desired state or
/// problems changed; that is all the reconciler hears (level-triggered).
/// </summary>
public sealed class DesiredStore
{
    /// <summary>Taken by writers only: a change (its checks, its entries and its save to the state store) is one step.</summary>
    readonly object _lock = new();

    /// <summary>
    /// The entries, replaced whole by each change under <see cref="_lock"/> and read without it: a reader (every API
    /// GET, the reconciler) never waits for a writer, which holds the lock while the state store writes the change to
    /// disk (an fsync, tens of milliseconds on a busy disk; 100 clients doing GET isles while others applied waited
    /// in line behind each apply's fsync).
    /// </summary>
    volatile ImmutableDictionary<ObjectKey, DesiredEntry> _entries = ImmutableDictionary<ObjectKey, DesiredEntry>.Empty;
    readonly StateStore _store;
    readonly TimeProvider _time;

    /// <summary>
    /// Valid definitions of keys another owner holds, by (key, claimant), in memory: the claimant takes the key over
    /// when the holder lets go. After a restart each owner's next <see cref="Replace"/> puts its claims back.
    /// </summary>
    readonly Dictionary<(ObjectKey Key, DesiredOwner Owner), (string File, DesiredObject Object)?> _claims = new();

    /// <summary>Each owner's <c>prune</c> at its last <see cref="Replace"/>, for <see cref="PreviewReplace"/>.</summary>
    readonly Dictionary<DesiredOwner, bool> _prunes = new();

    static readonly IReadOnlyDictionary<string, string> NoConflicts = new SortedDictionary<string, string>(StringComparer.Ordinal);

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
                if (r.Annotations is { Count: > 0 }) obj = obj with { Annotations = r.Annotations };
            }
            var conflicts = new SortedDictionary<string, string>(r.Conflicts ?? [], StringComparer.Ordinal);
            _entries = _entries.SetItem(key, new DesiredEntry(key, DesiredOwner.Parse(r.Owner, r.Origin), r.Origin, r.Generation, obj, r.Problems, r.CreatedAt)
                { Conflicts = conflicts, Released = r.Released });
        }
    }

    /// <summary>Raised outside the lock, once per changed key.</summary>
    public event Action<ObjectKey>? Changed;

    public DesiredEntry? Get(ObjectKey key) => _entries.GetValueOrDefault(key);

    public IReadOnlyList<DesiredEntry> List(ObjectKind? kind = null)
    {
        return _entries.Values.Where(e => kind is null || e.Key.Kind == kind).OrderBy(e => e.Key).ToList();
    }

    /// <summary>The isles whose spec lists <paramref name="name"/> in dependsOn.</summary>
    public IReadOnlyList<string> Dependents(string name)
    {
        return _entries.Values.Where(e => e.Object?.Isle?.DependsOn.Contains(name) == true).Select(e => e.Key.Name).ToList();
    }

    /// <summary>The isles whose spec names <paramref name="key"/>: a network or volume they use, or an isle they depend on.</summary>
    public IReadOnlyList<string> Referencing(ObjectKey key)
    {
        return _entries.Values.Where(e => e.Object?.Isle is { } spec && key.Kind switch
            {
                ObjectKind.Network => spec.Networks.Any(n => n.Name == key.Name),
                ObjectKind.Volume => spec.Volumes.Any(v => v.Name == key.Name),
                _ => spec.DependsOn.Contains(key.Name),
            }).Select(e => e.Key.Name).ToList();
    }

    /// <summary>
    /// Every valid desired object in the Model's terms, with <paramref name="overrides"/> in place of the objects of the
    /// same keys and without the <paramref name="removed"/> ones (a dry run). For a whole-state <see cref="StateDiff.Diff"/>; the reconciler asks per isle instead.
    /// </summary>
    public DesiredState ToModel(IEnumerable<DesiredObject> overrides, IEnumerable<ObjectKey>? removed = null)
    {
        var objects = new Dictionary<ObjectKey, DesiredObject>();
        foreach (var entry in _entries.Values)
            if (entry.Object is { } obj) objects[entry.Key] = obj;
        foreach (var obj in overrides) objects[obj.Key] = obj;
        foreach (var key in removed ?? []) objects.Remove(key);
        return DesiredState.From(objects.Values.OrderBy(o => o.Key).Select(ToManifest));
    }

    static Manifest ToManifest(DesiredObject obj)
    {
        var meta = new ObjectMeta(obj.Name) { Labels = new SortedDictionary<string, string>(obj.Labels.ToDictionary(), StringComparer.Ordinal) };
        return obj.Key.Kind switch
        {
            ObjectKind.Isle => new IsleManifest(meta, obj.Isle ?? SpecJson.ToIsle(obj.Spec), ManifestSource.None),
            ObjectKind.Network => new NetworkManifest(meta, SpecJson.To<NetworkSpec>(obj.Spec), ManifestSource.None),
            ObjectKind.Source => new SourceManifest(meta, SpecJson.To<SourceSpec>(obj.Spec), ManifestSource.None),
            _ => new VolumeManifest(meta, SpecJson.To<VolumeSpec>(obj.Spec), ManifestSource.None),
        };
    }

    /// <summary>The manifests directory's <see cref="Replace"/> (its objects are always pruned unless annotated).</summary>
    public IReadOnlyList<ObjectKey> ReplaceFiles(IReadOnlyList<(string File, ManifestLoadResult<DesiredObject> Result)> files) =>
        Replace(DesiredOwner.Files, files);

    /// <summary>The manifests directory's <see cref="Hold"/>.</summary>
    public IReadOnlyList<ObjectKey> HoldFiles(string problem) => Hold(DesiredOwner.Files, problem);

    /// <summary>
    /// Replaces the objects of <paramref name="owner"/> with what its manifest files hold now (one complete revision of
    /// them). A key defined by two files, or rejected, keeps its last good version and gets the problem; a key whose
    /// file has an unreadable part is not pruned; a key another owner holds stays that owner's, with this owner's
    /// definition as a problem on it (taken over at once if the holder lets go of it); a key no file defines any more is
    /// removed (prune), unless <paramref name="prune"/> is false or the object is annotated
    /// <c>islander.io/prune: disabled</c>: then it is released (kept desired and running, owned by the API from now on,
    /// taken back by the next owner that defines it). Returns the keys that changed.
    /// </summary>
    public IReadOnlyList<ObjectKey> Replace(DesiredOwner owner, IReadOnlyList<(string File, ManifestLoadResult<DesiredObject> Result)> files, bool prune = true)
    {
        var changed = new List<ObjectKey>();
        lock (_lock)
        {
            _prunes[owner] = prune;
            Batch(() =>
            {
                foreach (var (key, entry, next) in Replacement(owner, files, prune, whole: true, commit: true))
                    if (Update(key, entry, next)) changed.Add(key);
            });
        }
        RaiseChanged(changed);
        return changed;
    }

    /// <summary>
    /// What <see cref="Replace"/> would make of each key it touches, changing nothing (<c>islanderctl diff</c>'s
    /// server-side dry run): every key of <paramref name="owner"/> and every key the files define, with its entry now
    /// and after (null: pruned). <paramref name="prune"/> defaults to what the owner's last replace said (a source's
    /// <c>prune</c>; true for the manifests directory). With <paramref name="whole"/> false the files are a part of the
    /// owner's manifests, not all of them: a key they do not define is left out rather than pruned.
    /// </summary>
    public IReadOnlyList<(ObjectKey Key, DesiredEntry? Before, DesiredEntry? After)> PreviewReplace(DesiredOwner owner,
        IReadOnlyList<(string File, ManifestLoadResult<DesiredObject> Result)> files, bool? prune = null, bool whole = true)
    {
        lock (_lock)
            return Replacement(owner, files, prune ?? _prunes.GetValueOrDefault(owner, true), whole, commit: false).ToList();
    }

    /// <summary>
    /// The rule of <see cref="Replace"/>, key by key, under the lock: each key's entry and what it becomes. With
    /// <paramref name="commit"/> false nothing is changed (the claims other owners wait with stay as they are).
    /// </summary>
    IEnumerable<(ObjectKey Key, DesiredEntry? Before, DesiredEntry? After)> Replacement(DesiredOwner owner,
        IReadOnlyList<(string File, ManifestLoadResult<DesiredObject> Result)> files, bool prune, bool whole, bool commit)
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

        var keys = (whole ? _entries.Where(e => e.Value.Owner == owner || e.Value.Conflicts.ContainsKey(owner.Name)).Select(e => e.Key) : [])
            .Concat(definitions.Keys).Concat(problems.Keys).Distinct().ToList();
        foreach (var key in keys)
        {
            var entry = _entries.GetValueOrDefault(key);
            var defs = definitions.GetValueOrDefault(key) ?? [];
            var keyProblems = problems.GetValueOrDefault(key) ?? [];
            var rejectedIn = files.Where(f => f.Result.Rejected.Contains(key)).Select(f => f.File).ToList();
            var definers = defs.Select(d => d.Object.Source).Concat(keyProblems.Count > 0 ? rejectedIn : []).Distinct().ToList();
            bool defined = definers.Count > 0;
            DesiredEntry? next;
            if (entry is not null && entry.Owner != owner && !(entry.Released && defined))
            {
                // Another owner holds it and keeps it: bad input (here, a second definition) changes nothing that runs.
                var conflicts = new SortedDictionary<string, string>(entry.Conflicts.ToDictionary(), StringComparer.Ordinal);
                if (defined)
                {
                    conflicts[owner.Name] = HeldElsewhere(entry, definers);
                    if (commit) _claims[(key, owner)] = defs.Count == 1 && definers.Count == 1 ? defs[0] : null;
                }
                else
                {
                    conflicts.Remove(owner.Name);
                    if (commit) _claims.Remove((key, owner));
                }
                next = entry with { Conflicts = conflicts };
            }
            else
            {
                if (commit) _claims.Remove((key, owner));
                // Its own, a new key, or one released earlier and defined again (taken back).
                var own = entry is null ? null : entry with { Owner = owner, Released = false, Conflicts = Without(entry.Conflicts, owner) };
                if (definers.Count > 1)
                    next = Keep(own, key, owner, defs.Count > 0 ? defs[0].File : rejectedIn[0], [DefinedMoreThanOnce(key, definers)]);
                else if (keyProblems.Count > 0)
                    next = Keep(own, key, owner, rejectedIn[0], keyProblems);
                else if (defs.Count == 1)
                    next = Accept(own, key, owner, defs[0].File, defs[0].Object);
                else if (own is null)
                    next = null;
                else if (incomplete.TryGetValue(own.Origin, out var fileProblems))
                    next = own with { ManifestProblems = fileProblems.Select(p => p.ToString()).ToList() };
                else
                    next = Successor(own, commit) ?? (own.Object is not null && (!prune || own.Object.KeepWhenManifestGoes)
                        ? own with { Owner = DesiredOwner.Api, Released = true, ManifestProblems = [] }
                        : null);
            }
            yield return (key, entry, next);
        }
    }

    /// <summary>
    /// The owner's manifests cannot be read as a whole (a directory that cannot be listed, a source whose fetch failed):
    /// every object of <paramref name="owner"/> keeps its last good version, with <paramref name="problem"/> as its only
    /// problem, until the next <see cref="Replace"/>. Nothing is pruned. Returns the keys whose problems changed (each once).
    /// </summary>
    public IReadOnlyList<ObjectKey> Hold(DesiredOwner owner, string problem)
    {
        var changed = new List<ObjectKey>();
        lock (_lock)
            Batch(() =>
            {
                foreach (var entry in _entries.Values.Where(e => e.Owner == owner).ToList())
                    if (Update(entry.Key, entry, entry with { ManifestProblems = [problem] })) changed.Add(entry.Key);
            });
        RaiseChanged(changed);
        return changed;
    }

    /// <summary>The keys <paramref name="owner"/> holds now.</summary>
    public IReadOnlyList<ObjectKey> Owned(DesiredOwner owner)
    {
        return _entries.Values.Where(e => e.Owner == owner).Select(e => e.Key).Order().ToList();
    }

    /// <summary>Applies one object through the API. Objects another owner holds (a manifest file, a source) cannot be applied over.</summary>
    public ApplyOutcome Apply(DesiredObject obj)
    {
        ApplyOutcome outcome;
        lock (_lock)
        {
            var entry = _entries.GetValueOrDefault(obj.Key);
            if (entry is { FromApi: false }) throw OwnedElsewhere(entry, "edit");
            outcome = entry?.Object is null ? ApplyOutcome.Created
                : entry.Object.ContentHash == obj.ContentHash && SameMetadata(entry.Object, obj) && !entry.Released ? ApplyOutcome.Unchanged
                : ApplyOutcome.Configured;
            if (outcome == ApplyOutcome.Unchanged) return outcome;
            Update(obj.Key, entry, Accept(entry, obj.Key, DesiredOwner.Api, DesiredRecord.ApiOrigin, obj));
        }
        RaiseChanged([obj.Key]);
        return outcome;
    }

    /// <summary>
    /// Adds one object through the API if its key is free (Kubernetes' create): unlike <see cref="Apply"/>, never
    /// replaces what is there, whoever defined it. Check and add happen under one lock, so two creates of one name
    /// cannot both succeed (<c>islanderctl run --name</c> relies on this).
    /// </summary>
    /// <exception cref="IslanderException">AlreadyExists: the key is desired already (from the API, a file or a source).</exception>
    public void Create(DesiredObject obj)
    {
        lock (_lock)
        {
            if (_entries.GetValueOrDefault(obj.Key) is { } entry)
                throw new IslanderException($"{obj.Key.Kind.ToString().ToLowerInvariant()} \"{obj.Name}\" already exists ({DefinedBy(entry)})", ErrorCategory.AlreadyExists);
            Update(obj.Key, null, Accept(null, obj.Key, DesiredOwner.Api, DesiredRecord.ApiOrigin, obj));
        }
        RaiseChanged([obj.Key]);
    }

    /// <summary>Removes an object the API owns; the reconciler then prunes what it made.</summary>
    public void Delete(ObjectKey key)
    {
        lock (_lock)
        {
            var entry = _entries.GetValueOrDefault(key) ?? throw new IslanderException($"{key} not found", ErrorCategory.NotFound);
            if (!entry.FromApi) throw OwnedElsewhere(entry, "remove");
            Update(key, entry, null);
        }
        RaiseChanged([key]);
    }

    /// <summary>
    /// The API's Conflict for an object another owner holds, saying where to make the change instead
    /// (<paramref name="verb"/>: edit, remove).
    /// </summary>
    public static IslanderException OwnedElsewhere(DesiredEntry entry, string verb)
    {
        var where = entry.Object?.Source ?? entry.Origin;
        var message = entry.Owner.SourceName is { } source
            ? $"{entry.Key} comes from source/{source} ({where} in its repository); {verb} it there and push, or the source's next revision puts it back"
            : $"{entry.Key} comes from {where}; {verb} {(verb == "edit" ? "that file" : "it from that file")} instead";
        return new IslanderException(message, ErrorCategory.Conflict);
    }

    static string DefinedBy(DesiredEntry entry) =>
        entry.FromApi ? "applied through the API"
        : entry.Owner.SourceName is { } source ? $"from source/{source}, {entry.Object?.Source ?? entry.Origin}"
        : $"defined in {entry.Object?.Source ?? entry.Origin}";

    /// <summary>The problem of a key that more than one file of one owner defines (none of them is applied).</summary>
    internal static string DefinedMoreThanOnce(ObjectKey key, IEnumerable<string> definers) =>
        $"{key} is defined more than once ({string.Join(", ", definers)}); none of them is applied until only one is left";

    /// <summary>The problem shown on an object that <paramref name="definers"/> of another owner define too.</summary>
    static string HeldElsewhere(DesiredEntry holder, IReadOnlyList<string> definers)
    {
        var by = string.Join(", ", definers);
        var key = holder.Key;
        return holder.FromApi
            ? $"{by}: {key} was applied through the API; delete it there (islanderctl delete {key.Kind.ToString().ToLowerInvariant()} {key.Name}) or remove it from this file"
            : $"{by}: {key} is {DefinedBy(holder)} already; remove one of them (it is not applied from here while the other holds it)";
    }

    /// <summary>
    /// When <paramref name="holder"/>'s manifest goes: another owner's valid definition of the key waiting as a conflict
    /// on it takes it over (its generation continues), or null.
    /// </summary>
    DesiredEntry? Successor(DesiredEntry holder, bool commit = true)
    {
        foreach (var name in holder.Conflicts.Keys)
        {
            var claimant = DesiredOwner.Parse(name, "");
            if (_claims.GetValueOrDefault((holder.Key, claimant)) is not { } claim) continue;
            if (commit) _claims.Remove((holder.Key, claimant));
            return Accept(holder with { Conflicts = Without(holder.Conflicts, claimant) }, holder.Key, claimant, claim.File, claim.Object);
        }
        return null;
    }

    static SortedDictionary<string, string> Without(IReadOnlyDictionary<string, string> conflicts, DesiredOwner owner) =>
        new(conflicts.Where(c => c.Key != owner.Name).ToDictionary(), StringComparer.Ordinal);

    DesiredEntry Accept(DesiredEntry? entry, ObjectKey key, DesiredOwner owner, string origin, DesiredObject obj)
    {
        long generation = entry?.Object is null ? (entry?.Generation ?? 0) + 1
            : entry.Object.ContentHash == obj.ContentHash ? entry.Generation : entry.Generation + 1;
        return new DesiredEntry(key, owner, origin, generation, obj, [], entry?.CreatedAt ?? _time.GetUtcNow()) { Conflicts = entry?.Conflicts ?? NoConflicts };
    }

    DesiredEntry Keep(DesiredEntry? entry, ObjectKey key, DesiredOwner owner, string origin, IReadOnlyList<string> problems) =>
        entry is null ? new DesiredEntry(key, owner, origin, 0, null, problems, _time.GetUtcNow()) : entry with { ManifestProblems = problems };

    /// <summary>
    /// Runs <paramref name="updates"/> as one transaction of the state store and puts the entries and claims back as
    /// they were when it fails (a full disk): memory never holds what the database refused, so the next scan sees the
    /// change again and saves it then.
    /// </summary>
    void Batch(Action updates)
    {
        var entries = _entries;
        var claims = _claims.ToList();
        try
        {
            _store.Batch(updates);
        }
        catch (Exception)
        {
            _entries = entries;
            _claims.Clear();
            foreach (var (k, v) in claims) _claims[k] = v;
            throw;
        }
    }

    /// <summary>Writes the entry to the state store, then to memory: a write refused leaves both as they were.</summary>
    bool Update(ObjectKey key, DesiredEntry? before, DesiredEntry? after)
    {
        if (after is null)
        {
            if (before is null) return false;
            _store.DeleteDesired(key.ToString());
            _entries = _entries.Remove(key);
            return true;
        }
        if (before is not null && SameBesidesObject(before, after) && ReferenceEquals(before.Object, after.Object))
            return false;
        if (before?.Object is { } b && after.Object is { } a && b.ContentHash == a.ContentHash && SameMetadata(a, b) && SameBesidesObject(before, after))
        {
            _entries = _entries.SetItem(key, after with { Object = b });
            return false;
        }
        _store.SaveDesired(new DesiredRecord
        {
            Id = key.ToString(), Origin = after.Origin, Owner = after.Owner.Name, Released = after.Released, Generation = after.Generation,
            SpecJson = after.Object?.Spec.ToJsonString(), SpecHash = after.Object?.SpecHash, Labels = after.Object?.Labels.ToDictionary() ?? new(),
            Annotations = after.Object?.Annotations.ToDictionary() ?? new(), Source = after.Object?.Source ?? "",
            CreatedAt = after.CreatedAt, Problems = after.ManifestProblems.ToList(), Conflicts = after.Conflicts.ToDictionary(),
        });
        _entries = _entries.SetItem(key, after);
        return true;
    }

    void RaiseChanged(IEnumerable<ObjectKey> keys)
    {
        foreach (var key in keys) Changed?.Invoke(key);
    }

    static bool SameBesidesObject(DesiredEntry a, DesiredEntry b) =>
        a.Owner == b.Owner && a.Origin == b.Origin && a.Released == b.Released && a.Generation == b.Generation
        && a.ManifestProblems.SequenceEqual(b.ManifestProblems) && Same(a.Conflicts, b.Conflicts);

    /// <summary>Same labels and annotations: with the same <see cref="DesiredObject.ContentHash"/>, nothing to apply.</summary>
    internal static bool SameMetadata(DesiredObject a, DesiredObject b) => Same(a.Labels, b.Labels) && Same(a.Annotations, b.Annotations);

    static bool Same(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && a.All(l => b.TryGetValue(l.Key, out var v) && v == l.Value);

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
