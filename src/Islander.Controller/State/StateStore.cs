using System.Collections.Concurrent;
using Islander.Drivers.Runtime;
using Islander.Model;
using LiteDB;
using Microsoft.Extensions.Logging;

namespace Islander.Controller.State;

/// <summary>
/// Actual state (isle records), persisted desired objects and events, in one LiteDB file under the state directory.
/// Isle records are also kept in memory: reads are free, every write goes through to disk at once, so a daemon
/// killed at any point restarts from the last transition. A cache of what islander did, not the truth: the
/// reconciler checks it against the kernel every pass. The file's layout is versioned and migrated when it is opened
/// (<see cref="StateSchema"/>).
/// </summary>
public sealed class StateStore : IDisposable
{
    /// <summary>Events kept; older ones are dropped (Kubernetes keeps an hour).</summary>
    public const int EventLimit = 2000;

    LiteDatabase _db = null!;
    readonly string _path;
    readonly BsonMapper _mapper;
    readonly IReadOnlyList<StateMigration> _migrations;
    readonly TimeProvider _time;
    readonly ILogger? _log;
    ILiteCollection<IsleRecord> _isles = null!;
    ILiteCollection<DesiredRecord> _desired = null!;
    ILiteCollection<EventRecord> _events = null!;
    ILiteCollection<NetworkRecord> _networks = null!;
    readonly ConcurrentDictionary<string, NetworkRecord> _networkCache = new();
    ILiteCollection<VolumeRecord> _volumes = null!;
    ILiteCollection<RolloutRecord> _rollouts = null!;
    /// <summary>isle → its revisions, kept in memory (a pass reads them): guarded by <see cref="_writeLock"/>.</summary>
    readonly Dictionary<string, List<RolloutRecord>> _rolloutCache = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, VolumeRecord> _volumeCache = new();
    ILiteCollection<SourceRecord> _sources = null!;
    readonly ConcurrentDictionary<string, SourceRecord> _sourceCache = new();
    readonly ConcurrentDictionary<string, IsleRecord> _isleCache = new();
    /// <summary>The last committed record of each isle deleted lately (<see cref="DeletedIsle"/>): the <see cref="DeletedIslesKept"/> deleted last.</summary>
    readonly RecentlyDeletedIsles _deletedIsles = new(DeletedIslesKept);
    readonly object _writeLock = new();
    readonly LinkedList<EventRecord> _recentEvents = new();
    readonly List<EventRecord> _pendingEvents = new();
    long _lastEventId;

    /// <summary>The database file in a state directory.</summary>
    public static string FileIn(string stateDirectory) => Path.Combine(stateDirectory, "islander.db");

    /// <summary>
    /// The size of the reserve file kept beside the database (<see cref="TakeReserve"/>): a LiteDB commit writes a few
    /// 8 KiB pages, so this is room for the hundreds of commits that deleting an isle and its volumes takes.
    /// </summary>
    public const long DefaultReserveBytes = 4L << 20;

    /// <summary>
    /// Pages in LiteDB's log that start a checkpoint (LiteDB's default is 1,000). LiteDB keeps each page of its log in
    /// its memory cache until the checkpoint moves them into the database file, and never gives the cache's memory back:
    /// with the default, the cache grew to 4.5 MiB of the 11 MiB heap with 50 isles. The checkpoint syncs the database
    /// file once per this many pages (a few dozen commits), not per commit.
    /// </summary>
    public const int CheckpointPages = 100;

    /// <summary>The reserve file in a state directory.</summary>
    public static string ReserveIn(string stateDirectory) => Path.Combine(stateDirectory, "reserve");

    /// <summary>
    /// Opens (or creates) the database at <paramref name="path"/> (<c>:memory:</c> for none) and brings it to
    /// <see cref="StateSchema.Current"/>: an older file is copied beside itself and migrated; a newer one throws
    /// <see cref="StateSchemaException"/> before anything is written.
    /// </summary>
    public StateStore(string path, ILogger? log = null) : this(path, StateSchema.Migrations, TimeProvider.System, log) { }

    /// <summary>With a reserve of its own size (0: none), for tests of a full file system.</summary>
    internal StateStore(string path, long reserveBytes, ILogger? log = null) : this(path, StateSchema.Migrations, TimeProvider.System, log, reserveBytes) { }

    /// <summary>With its own list of migrations: tests prove the mechanism with steps of their own.</summary>
    internal StateStore(string path, IReadOnlyList<StateMigration> migrations, TimeProvider time, ILogger? log = null, long reserveBytes = DefaultReserveBytes)
    {
        _path = path;
        _reserve = path == ":memory:" || reserveBytes <= 0 ? null : ReserveIn(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _reserveBytes = reserveBytes;
        _logPath = path == ":memory:" ? null : StateSchema.LogOf(path);
        _mapper = Mapper();
        (_migrations, _time, _log) = (migrations, time, log);
        bool empty = path != ":memory:" && File.Exists(path) && new FileInfo(path).Length == 0;
        try
        {
            Open();
        }
        catch (Exception e) when (path != ":memory:" && StateDatabaseDamage.IsDamage(e))
        {
            Recover(e);
            empty = false; // Recover said what was lost
        }
        TakeReserve();
        if (empty)
            log?.LogWarning("State database {Path} was empty (0 bytes): no record was kept; running isles are adopted from the kernel, desired state comes from the manifests", path);
    }

    static BsonMapper Mapper()
    {
        _ = StateRecords.Types; // what the mapper reflects over, kept in the NativeAOT build
        var mapper = new BsonMapper();
        mapper.RegisterType(v => new BsonValue(v.UtcTicks), b => new DateTimeOffset(b.AsInt64, TimeSpan.Zero));
        mapper.RegisterType(v => new BsonValue(v.Ticks), b => TimeSpan.FromTicks(b.AsInt64));
        // A volume's driver by name; records written when it was an enum hold "Btrfs", which the name reads lower-cased.
        mapper.RegisterType(v => new BsonValue(v.Name), b => new Islander.Model.VolumeDriverKind(b.AsString));
        mapper.Entity<IsleRecord>().Id(r => r.Name, autoId: false);
        mapper.Entity<DesiredRecord>().Id(r => r.Id, autoId: false);
        mapper.Entity<EventRecord>().Id(r => r.Id, autoId: false);
        mapper.Entity<NetworkRecord>().Id(r => r.Name, autoId: false);
        mapper.Entity<VolumeRecord>().Id(r => r.Name, autoId: false).Ignore(r => r.Spec);
        mapper.Entity<RolloutRecord>().Id(r => r.Id, autoId: false);
        mapper.Entity<SourceRecord>().Id(r => r.Name, autoId: false);
        return mapper;
    }

    /// <summary>Opens the file at <see cref="_path"/>, migrates it and loads the caches; throws what LiteDB throws on a damaged file.</summary>
    void Open(bool loadEvents = true)
    {
        string path = _path;
        int current = StateSchema.CurrentOf(_migrations);
        int? found = path == ":memory:" ? null : StateSchema.VersionOf(path);
        if (found > current) throw StateSchema.Newer(path, found.Value, current);
        string? backup = null;
        if (found < current)
        {
            backup = StateSchema.Backup(path, found.Value, _time.GetUtcNow());
            _log?.LogWarning("State database {Path} is at schema version {Found}; migrating to {Current} (the file as it was is copied to {Backup})", path, found, current, backup);
        }
        if (path != ":memory:")
            CreatePrivateFiles(path);
        _db = path == ":memory:" ? new LiteDatabase(new MemoryStream(), _mapper) : new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Direct }, _mapper);
        _db.CheckpointSize = CheckpointPages;
        try
        {
            _isles = _db.GetCollection<IsleRecord>("isles");
            _desired = _db.GetCollection<DesiredRecord>("desired");
            _events = _db.GetCollection<EventRecord>("events");
            _networks = _db.GetCollection<NetworkRecord>("networks");
            _volumes = _db.GetCollection<VolumeRecord>("volumes");
            _rollouts = _db.GetCollection<RolloutRecord>("rollouts");
            _sources = _db.GetCollection<SourceRecord>("sources");
            StateSchema.Migrate(_db, path, found, _migrations, backup, _log);
            foreach (var record in _isles.FindAll()) _isleCache[record.Name] = record;
            foreach (var record in _networks.FindAll()) _networkCache[record.Name] = record;
            foreach (var record in _volumes.FindAll()) _volumeCache[record.Name] = record;
            foreach (var record in _rollouts.FindAll()) CacheRollout(record);
            foreach (var record in _sources.FindAll()) _sourceCache[record.Name] = record;
            _ = _desired.Count(); // every page of the collection is read at each rescan: a damaged one shows now, not then
            if (loadEvents)
            {
                foreach (var e in _events.Query().OrderByDescending(e => e.Id).Limit(EventLimit).ToList().AsEnumerable().Reverse()) _recentEvents.AddLast(e);
                _lastEventId = _recentEvents.Last?.Value.Id ?? 0;
            }
        }
        catch
        {
            LiteDatabases.Close(_db);
            ClearCaches();
            if (loadEvents) _recentEvents.Clear();
            throw;
        }
    }

    /// <summary>The records' caches, emptied for <see cref="Open"/> to load them again from the file.</summary>
    void ClearCaches()
    {
        _isleCache.Clear();
        _deletedIsles.Clear();
        _networkCache.Clear();
        _volumeCache.Clear();
        _rolloutCache.Clear();
        _sourceCache.Clear();
    }

    /// <summary>
    /// The database did not open or read (<see cref="StateDatabaseDamage"/>): it goes aside, the collections that still
    /// read whole come back in a new file, and islanderd says so in its log and an event (StateDatabaseDamaged). A
    /// damaged file must never stop islanderd (systemd would restart it into the same file, forever) nor be
    /// overwritten (it is the only copy of what it holds).
    /// </summary>
    void Recover(Exception damage)
    {
        var aside = StateDatabaseDamage.SetAside(_path, _time.GetUtcNow());
        var (kept, lost) = StateDatabaseDamage.Salvage(aside, _mapper);
        try
        {
            StateDatabaseDamage.Restore(_path, kept);
            Open();
        }
        catch (Exception again) when (StateDatabaseDamage.IsDamage(again))
        {
            File.Delete(_path); // what was carried over did not open either: start empty, the copy aside keeps everything
            lost = [$"every record (what read from the copy did not open: {again.Message})"];
            kept.Clear();
            Open();
        }
        var keptText = string.Join(", ", kept.Where(k => k.Key is not ("schema" or "health")).Select(k => $"{k.Value.Count} {k.Key}"));
        var message = $"state database {_path} is damaged ({damage.GetType().Name}: {damage.Message}); moved aside to {aside}. " +
            $"Kept: {(keptText.Length == 0 ? "nothing" : keptText)}. Lost: {(lost.Count == 0 ? "nothing" : string.Join("; ", lost))}. " +
            "Running isles are adopted from the kernel (their cgroups) and keep their addresses; desired state comes from the manifests again; " +
            "objects applied through the API that were lost must be applied again.";
        _log?.LogError("{Message}", message);
        AddEvent(new EventRecord { Time = _time.GetUtcNow(), Type = EventType.Warning, Kind = "StateDatabase", Name = Path.GetFileName(_path), Reason = "StateDatabaseDamaged", Message = message });
        FlushEvents();
    }

    /// <summary>
    /// The database holds the desired specs, environment values included: it and LiteDB's log (FILE-log.db, the pages
    /// written since the last checkpoint) and sort file (FILE-tmp.db) are made 0600 before LiteDB opens them, since
    /// LiteDB creates files with the process's umask (0644). LiteDB opens an existing file and keeps its mode.
    /// </summary>
    static void CreatePrivateFiles(string path)
    {
        var (stem, ext) = StateSchema.Split(path);
        foreach (var file in new[] { path, StateSchema.LogOf(path), $"{stem}-tmp{ext}" })
            SecretFile.Ensure(file);
    }

    /// <summary>A copy of the record (callers mutate their copy and <see cref="SaveIsle"/> it).</summary>
    public IsleRecord? GetIsle(string name) => _isleCache.TryGetValue(name, out var r) ? WithAddresses(Clone(r)) : null;

    public IReadOnlyList<IsleRecord> Isles() => _isleCache.Values.Select(r => WithAddresses(Clone(r))).OrderBy(r => r.Name, StringComparer.Ordinal).ToList();

    IsleRecord WithAddresses(IsleRecord r)
    {
        if (!_networkCache.IsEmpty) r.Addresses = AddressesOf(r.Name);
        return r;
    }

    /// <summary>Writes the record (and the events recorded so far) in one LiteDB transaction.</summary>
    public void SaveIsle(IsleRecord record)
    {
        var copy = Clone(record);
        // The steps of stopping and deleting an isle free space: they may run on the reserve.
        Write(() => _isles.Upsert(copy), () =>
        {
            _isleCache[record.Name] = copy;
            _deletedIsles.Remove(record.Name);
        }, frees: record.State is IslePhase.Stopping or IslePhase.Stopped or IslePhase.Deleting);
    }

    public void DeleteIsle(string name) => Write(() => _isles.Delete(name), () =>
    {
        if (_isleCache.TryRemove(name, out var last))
            _deletedIsles.Add(name, last);
    }, frees: true);

    /// <summary>
    /// A copy of the last record committed for isle <paramref name="name"/> before its deletion, while no isle of that
    /// name has been saved since: how it ended, for the watch's DELETED line (Kubernetes sends the object's last state
    /// there). Kept in memory for the <see cref="DeletedIslesKept"/> isles deleted last.
    /// </summary>
    public IsleRecord? DeletedIsle(string name) => _deletedIsles.Get(name) is { } r ? Clone(r) : null;

    const int DeletedIslesKept = 256;

    /// <summary>A copy of the network's record (networks and their IPAM allocations).</summary>
    public NetworkRecord? GetNetwork(string name) => _networkCache.TryGetValue(name, out var r) ? r.Clone() : null;

    public IReadOnlyList<NetworkRecord> Networks() => _networkCache.Values.Select(r => r.Clone()).OrderBy(r => r.Name, StringComparer.Ordinal).ToList();

    public void SaveNetwork(NetworkRecord record)
    {
        var copy = record.Clone();
        // An address given back (an isle deleted) is a step of a deletion.
        bool frees = _networkCache.TryGetValue(record.Name, out var old) && copy.Allocations.Count < old.Allocations.Count;
        Write(() => _networks.Upsert(copy), () => _networkCache[record.Name] = copy, frees);
    }

    /// <summary>
    /// An isle's address taken or given back (IPAM): saved as <see cref="SaveNetwork"/> saves, but in the cache at once,
    /// without waiting for the commit to be durable. The isle's own next commit (Running, or why the start failed; its
    /// deletion) waits for a sync of the log, which covers every earlier commit, this one included. What the wait would
    /// add is the address surviving a power cut before that commit, and a power cut also ends every isle that could hold
    /// it; a killed islanderd loses nothing (LiteDB has written the commit's pages when <c>Commit</c> returns). Call it
    /// under the network's lock, as every save of a network's record is made: no older copy can reach the cache after it.
    /// </summary>
    public void SaveNetworkUnsynced(NetworkRecord record)
    {
        var copy = record.Clone();
        bool frees = _networkCache.TryGetValue(record.Name, out var old) && copy.Allocations.Count < old.Allocations.Count;
        lock (_writeLock) Commit(() => _networks.Upsert(copy), frees);
        _networkCache[record.Name] = copy;
    }

    /// <summary>Returns once every commit made so far is durable (after <see cref="SaveNetworkUnsynced"/> that no commit of an isle follows).</summary>
    public void WaitDurable() => WaitDurable(Volatile.Read(ref _committed));

    public void DeleteNetwork(string name) => Write(() => _networks.Delete(name), () => _networkCache.TryRemove(name, out _), frees: true);

    /// <summary>A copy of the volume's record.</summary>
    public VolumeRecord? GetVolume(string name) => _volumeCache.TryGetValue(name, out var r) ? r.Clone() : null;

    public IReadOnlyList<VolumeRecord> Volumes() => _volumeCache.Values.Select(r => r.Clone()).OrderBy(r => r.Name, StringComparer.Ordinal).ToList();

    public void SaveVolume(VolumeRecord record)
    {
        var copy = record.Clone();
        Write(() => _volumes.Upsert(copy), () => _volumeCache[record.Name] = copy);
    }

    public void DeleteVolume(string name) => Write(() => _volumes.Delete(name), () => _volumeCache.TryRemove(name, out _), frees: true);

    /// <summary>The isle's revisions, oldest first, as copies (a new collection in the same schema version: an older file has none).</summary>
    public IReadOnlyList<RolloutRecord> Rollouts(string isle)
    {
        lock (_writeLock)
            return _rolloutCache.TryGetValue(isle, out var list) ? list.OrderBy(r => r.Revision).Select(r => r.Clone()).ToList() : [];
    }

    /// <summary>A copy of the isle's latest revision, or null: what a pass reads (several times), without copying the rest.</summary>
    public RolloutRecord? LatestRollout(string isle)
    {
        lock (_writeLock)
            return _rolloutCache.TryGetValue(isle, out var list) && list.Count > 0 ? list.MaxBy(r => r.Revision)!.Clone() : null;
    }

    public void SaveRollout(RolloutRecord record)
    {
        var copy = record.Clone();
        Write(() => _rollouts.Upsert(copy), () => { lock (_writeLock) CacheRollout(copy); });
    }

    void CacheRollout(RolloutRecord record)
    {
        if (!_rolloutCache.TryGetValue(record.Isle, out var list)) _rolloutCache[record.Isle] = list = [];
        list.RemoveAll(r => r.Id == record.Id);
        list.Add(record);
    }

    public void DeleteRollout(string id) => Write(() => _rollouts.Delete(id), () =>
    {
        lock (_writeLock)
            foreach (var (isle, list) in _rolloutCache.ToList())
                if (list.RemoveAll(r => r.Id == id) > 0 && list.Count == 0) _rolloutCache.Remove(isle);
    }, frees: true);

    /// <summary>A copy of the source's record.</summary>
    public SourceRecord? GetSource(string name) => _sourceCache.TryGetValue(name, out var r) ? r.Clone() : null;

    public IReadOnlyList<SourceRecord> Sources() => _sourceCache.Values.Select(r => r.Clone()).OrderBy(r => r.Name, StringComparer.Ordinal).ToList();

    public void SaveSource(SourceRecord record)
    {
        var copy = record.Clone();
        Write(() => _sources.Upsert(copy), () => _sourceCache[record.Name] = copy);
    }

    public void DeleteSource(string name) => Write(() => _sources.Delete(name), () => _sourceCache.TryRemove(name, out _), frees: true);

    public IReadOnlyList<DesiredRecord> DesiredRecords() { lock (_writeLock) return _desired.FindAll().ToList(); }

    public void SaveDesired(DesiredRecord record) => Write(() => _desired.Upsert(record));

    public void DeleteDesired(string id) => Write(() => _desired.Delete(id), frees: true);

    /// <summary>
    /// Runs <paramref name="writes"/> (calls of this store's write methods, on this thread) as one LiteDB transaction.
    /// Each commit syncs LiteDB's log to the disk (<see cref="SyncLog"/>), so a rescan of 1000 manifests must not commit
    /// 1000 times.
    /// </summary>
    public void Batch(Action writes) => Write(() =>
    {
        _wrote = false; // only the writes in it count: a Batch of none (a rescan that changed nothing) is no commit
        writes();
    }, frees: true, retry: false); // each write in it says whether it frees

    bool _inTransaction;

    /// <summary>Whether the transaction under way holds a write: it is counted as a commit, and synced, only then.</summary>
    bool _wrote;

    /// <summary>Whether every write of the transaction under way frees space (a deletion's steps): only those may use the reserve.</summary>
    bool _freesOnly;

    /// <summary>
    /// Commits <paramref name="write"/> under the write lock, then, the lock released, waits until the commit is
    /// durable (<see cref="WaitDurable"/>: concurrent commits share one sync of the log) and only then runs
    /// <paramref name="durable"/>, which puts the change in the caches: nothing reads a change, nor is its caller
    /// answered, before a power cut would keep it. Part of a <see cref="Batch"/>, the write joins its transaction and
    /// <paramref name="durable"/> runs at once (the Batch's caller changes its own memory as it writes; a failed commit
    /// reloads the caches from the file, <see cref="Reopen"/>). Within <see cref="Unsynced"/>, the wait and
    /// <paramref name="durable"/> are left to its caller.
    /// </summary>
    void Write(Action write, Action? durable = null, bool frees = false, bool retry = true)
    {
        long ticket;
        lock (_writeLock) ticket = Commit(write, frees, retry);
        if (ticket == 0)
            durable?.Invoke();
        else if (t_unsynced is { } later && later.Of(this))
            later.Add(ticket, durable);
        else
        {
            WaitDurable(ticket);
            durable?.Invoke();
        }
    }

    /// <summary>
    /// One transaction of <paramref name="write"/>; returns its number (a ticket for <see cref="WaitDurable"/>), 0 for a
    /// write that joined the Batch under way. Called under the write lock. A write the full file system refuses releases
    /// the reserve (<see cref="ReleaseReserve"/>) when it <paramref name="frees"/> space (a step of stopping or deleting)
    /// and, when <paramref name="retry"/>, runs once more in the room it gave: a single Upsert or Delete may run twice; a
    /// Batch may not (its caller changes its own memory as it writes), so it is refused as before and its caller's next
    /// attempt finds the room. While the reserve is released, other writes (new work) are refused as on a full disk: the
    /// room is kept for what gives the space back.
    /// </summary>
    long Commit(Action write, bool frees = false, bool retry = true)
    {
        if (_inTransaction) { _freesOnly &= frees; write(); _wrote = true; return 0; } // part of a Batch (after it: a Batch in a Batch resets it)
        long before = _committed;
        if (!TryCommit(write, frees, retry))
            TryCommit(write, frees, retry: false); // in the room the reserve gave: this one throws what it meets
        else if (_reserveReleased && _reserve is not null)
            RetakeReserveIfRoom();
        return _committed == before ? 0 : _committed; // 0: nothing written, nothing to wait for
    }

    /// <summary>False when the file system was full and the reserve was released for a second try; throws otherwise.</summary>
    bool TryCommit(Action write, bool frees, bool retry)
    {
        if (_failed is not null) Reopen();
        _inTransaction = true;
        _freesOnly = frees;
        _wrote = true;
        try
        {
            _db.BeginTrans();
            write();
            if (!_freesOnly && OnReserve()) throw OnReserveRefusal();
            FlushEventsLocked();
            _db.Commit(); // LiteDB has written the pages to its log (pwrite, on this thread) when this returns
            if (_wrote) Interlocked.Increment(ref _committed);
            if (_refusedSince is { } since)
            {
                _log?.LogWarning("State database {Path} is written again (writes were refused for {Seconds:0.0} s)", _path, (_time.GetUtcNow() - since).TotalSeconds);
                _refusedSince = null;
            }
            return true;
        }
        catch (IOException e)
        {
            _failed = e;
            if (IsFull(e) && _freesOnly && ReleaseReserve(e) && retry)
                return false; // the file is reopened at the next try
            if (_refusedSince is null)
            {
                _refusedSince = _time.GetUtcNow();
                _log?.LogError("State database {Path}: a write was refused ({Error}); new work is refused until it can be written, running isles go on", _path, e.Message);
            }
            // LiteDB closes its engine at an I/O error (a full disk, a read-only file system) and throws that error at
            // every later call, Rollback included: the store reopens the file at the next write, which reads the log
            // back to the last commit. The transaction is then absent, whole; every commit before it is there. One refused
            // in Commit stays open and cannot dispose itself: the reopen closes it with LiteDatabases.Close.
            throw WriteFailed(e);
        }
        catch
        {
            _db.Rollback();
            throw;
        }
        finally
        {
            _inTransaction = false;
        }
    }

    /// <summary>LiteDB's log file beside the database (null for <c>:memory:</c>).</summary>
    readonly string? _logPath;

    /// <summary>Commits made: each one's number is its ticket for <see cref="WaitDurable"/>.</summary>
    long _committed;

    /// <summary>Guards the group commit's state: the commits known durable, whether a sync runs, and a failed sync.</summary>
    readonly object _syncGate = new();
    long _durable;
    bool _syncing;
    long _syncFailedThrough;
    IOException? _syncError;
    long _syncs;

    /// <summary>Syncs of LiteDB's log made so far (for tests: fewer than the commits they covered when commits overlap).</summary>
    internal long Syncs => Interlocked.Read(ref _syncs);

    /// <summary>Commits made so far, durable or not yet (for tests).</summary>
    internal long Commits => Interlocked.Read(ref _committed);

    /// <summary>Runs just before each sync of the log (tests hold a sync there to make commits overlap it).</summary>
    internal Action? BeforeSync { get; set; }

    /// <summary>
    /// Returns once commit <paramref name="ticket"/> is durable: a group commit. A caller that finds no sync running
    /// syncs the log itself, covering every commit made before its sync began (its own included); one that finds a sync
    /// running waits for it and, if that sync began before its commit, for the next, which the first of the waiters
    /// runs. So commits that overlap share one fsync, and none returns before an fsync that began after its commit has
    /// returned. A sync that fails fails every commit it was to cover: their callers get the error, as before, even if
    /// a later sync passes (after a failed fsync Linux may drop the dirty pages and report the next one clean).
    /// </summary>
    void WaitDurable(long ticket)
    {
        long covers;
        lock (_syncGate)
        {
            while (true)
            {
                if (_syncError is not null && ticket <= _syncFailedThrough) throw WriteFailed(_syncError);
                if (_durable >= ticket) return;
                if (!_syncing) break;
                Monitor.Wait(_syncGate);
            }
            _syncing = true;
            covers = Volatile.Read(ref _committed); // every commit counted here has written its pages already
        }
        IOException? failed = null;
        bool synced = false;
        try
        {
            SyncLog();
            synced = true;
        }
        catch (IOException e)
        {
            failed = e;
        }
        finally
        {
            lock (_syncGate)
            {
                if (synced) _durable = Math.Max(_durable, covers);
                else if (failed is not null) (_syncError, _syncFailedThrough) = (failed, covers);
                _syncing = false;
                Monitor.PulseAll(_syncGate);
            }
        }
        if (failed is not null)
        {
            lock (_writeLock) _failed ??= failed; // the next write opens the file again (Reopen), reading back what it holds
            throw WriteFailed(failed);
        }
    }

    /// <summary>
    /// Syncs LiteDB's log file, where a commit's pages are: LiteDB writes them before <c>Commit</c> returns (a full disk
    /// fails the commit itself, and a killed islanderd loses nothing) but leaves them in the page cache, where a power
    /// cut would take them. Its checkpoint, which moves them into the database file, syncs that file before it empties
    /// the log. A commit is durable once a sync that began after it returns, as bolt's is for containerd.
    /// </summary>
    void SyncLog()
    {
        if (_logPath is null) return;
        BeforeSync?.Invoke();
        Interlocked.Increment(ref _syncs);
        try
        {
            using var log = File.OpenHandle(_logPath, FileMode.Open, FileAccess.Read);
            RandomAccess.FlushToDisk(log);
        }
        catch (FileNotFoundException)
        {
            // no log: the commit wrote nothing, or a checkpoint moved it into the database file and synced that
        }
    }

    /// <summary>The commits <see cref="Unsynced"/> made on this thread, each with what runs once it is durable.</summary>
    [ThreadStatic]
    static UnsyncedWrites? t_unsynced;

    /// <summary>
    /// Runs <paramref name="writes"/> (calls of this store's write methods, on this thread) without waiting for their
    /// commits to be durable, and returns them: the caller releases its own lock, then calls
    /// <see cref="UnsyncedWrites.WaitDurable"/> before it tells anyone. The <see cref="Events.EventRecorder"/> does so, so that
    /// transitions saved with their events share fsyncs instead of queueing through them under its lock.
    /// </summary>
    public UnsyncedWrites Unsynced(Action writes)
    {
        var outer = t_unsynced;
        var these = t_unsynced = new UnsyncedWrites(this);
        try
        {
            writes();
        }
        catch
        {
            t_unsynced = outer;
            these.WaitDurable(); // what did commit before the failure reaches the caches as ever
            throw;
        }
        t_unsynced = outer;
        return these;
    }

    /// <summary>Commits made by <see cref="Unsynced"/> whose callers have not waited for them yet.</summary>
    public sealed class UnsyncedWrites(StateStore store)
    {
        readonly List<Action?> _durable = [];
        long _ticket;

        internal bool Of(StateStore s) => ReferenceEquals(store, s);

        internal void Add(long ticket, Action? durable)
        {
            _ticket = Math.Max(_ticket, ticket);
            _durable.Add(durable);
        }

        /// <summary>Returns once every commit is durable, their changes in the caches; throws what a failed sync throws.</summary>
        public void WaitDurable()
        {
            if (_ticket > 0) store.WaitDurable(_ticket);
            foreach (var durable in _durable) durable?.Invoke();
            _durable.Clear();
        }
    }

    /// <summary>The I/O error of the last write, until the file is open again.</summary>
    IOException? _failed;

    /// <summary>
    /// Opens the file again after an I/O error and reloads the caches from it: a write of a Batch that failed may have
    /// reached a cache before its commit did. Throws <see cref="WriteFailed"/> while the error lasts.
    /// </summary>
    void Reopen()
    {
        try
        {
            LiteDatabases.Close(_db); // the refused commit's transaction cannot dispose itself
        }
        catch (IOException e)
        {
            _log?.LogDebug("State database {Path}: closing after the error: {Error}", _path, e.Message); // the engine is closed already
        }
        ClearCaches();
        try
        {
            Open(loadEvents: false);
        }
        catch (IOException e)
        {
            _failed = e;
            throw WriteFailed(e);
        }
        _failed = null;
    }

    /// <summary>The reserve file (null: none, for <c>:memory:</c> and tests), its size, and whether it was given up.</summary>
    readonly string? _reserve;
    readonly long _reserveBytes;
    bool _reserveReleased;

    /// <summary>
    /// Writes the reserve file with real blocks (zeros, synced: a sparse or merely sized file frees nothing when it
    /// goes). An isle with no disk limit can fill the file system under the state directory (its writable layer and
    /// dir volumes live there), and then every write of this store is refused, the first step of deleting that isle
    /// included: the one thing that would give the space back could never start. The reserve is that room, kept aside
    /// until a write is refused. Returns whether it is held; a file system too full for it is no error.
    /// </summary>
    bool TakeReserve()
    {
        if (_reserve is null) return false;
        try
        {
            if (File.Exists(_reserve) && new FileInfo(_reserve).Length == _reserveBytes)
            {
                _reserveReleased = false; // kept from the last run
                return true;
            }
            using (var f = new FileStream(_reserve, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.WriteThrough))
            {
                var block = new byte[1 << 16];
                for (long left = _reserveBytes; left > 0; left -= block.Length)
                    f.Write(block, 0, (int)Math.Min(left, block.Length));
                f.Flush(flushToDisk: true);
            }
            if (_reserveReleased)
                _log?.LogInformation("State database {Path}: the reserve {Reserve} ({Size} MiB) is taken again", _path, _reserve, _reserveBytes >> 20);
            _reserveReleased = false;
            return true;
        }
        catch (IOException e)
        {
            DeleteReserve();
            _log?.LogDebug("State database {Path}: no room for the reserve {Reserve} ({Error})", _path, _reserve, e.Message);
            _reserveReleased = true;
            return false;
        }
    }

    /// <summary>
    /// The file system is full: deletes the reserve, so that this write and those after it (the steps of deleting the
    /// isle that filled it: killing it first, then removing its files) find room. Returns whether there was one to give.
    /// An isle still writing may take the freed blocks first; its deletion then meets a refused write as it would
    /// without the reserve, and is retried with back-off.
    /// </summary>
    bool ReleaseReserve(IOException e)
    {
        if (_reserve is null || _reserveReleased) return false;
        _reserveReleased = true;
        if (!File.Exists(_reserve)) return false;
        DeleteReserve();
        _log?.LogWarning("State database {Path}: the file system is full ({Error}); released the reserve {Reserve} ({Size} MiB) so that islanderd can record " +
            "its work, deleting the isle that filled it included; it is taken again once space returns", _path, e.Message, _reserve, _reserveBytes >> 20);
        return true;
    }

    void DeleteReserve()
    {
        try
        {
            File.Delete(_reserve!);
        }
        catch (IOException e)
        {
            _log?.LogWarning("State database {Path}: the reserve {Reserve} cannot be deleted: {Error}", _path, _reserve, e.Message);
        }
    }

    /// <summary>The reserve is released and there is not yet room to take it again (tried here: a statfs).</summary>
    bool OnReserve()
    {
        if (_reserve is null || !_reserveReleased) return false;
        RetakeReserveIfRoom();
        return _reserveReleased;
    }

    /// <summary>What a write of new work meets while the reserve is released: as a full disk, with the reason.</summary>
    IslanderException OnReserveRefusal() =>
        new($"no space left on device under {Path.GetDirectoryName(_reserve)}: islanderd runs on its reserve ({_reserve} was released so that " +
            "deletions can be recorded, and there is not room to take it again); new work is refused until there is: free space on that file system " +
            "(or grow it). Nothing recorded before was lost", ErrorCategory.InsufficientStorage);

    /// <summary>
    /// After a write that passed while the reserve is released: takes it again when the file system has room for it
    /// twice over (not at the first few free blocks, which the next write would take back). A statfs, cheap beside a
    /// commit's sync.
    /// </summary>
    void RetakeReserveIfRoom()
    {
        long free;
        try
        {
            free = new DriveInfo(Path.GetDirectoryName(_reserve)!).AvailableFreeSpace;
        }
        catch (IOException e)
        {
            _log?.LogDebug("State database {Path}: free space unknown: {Error}", _path, e.Message);
            return;
        }
        if (free >= 2 * _reserveBytes) TakeReserve();
    }

    /// <summary>Since the first write the file refused, until one succeeds again (for the log: once each way).</summary>
    DateTimeOffset? _refusedSince;

    /// <summary>ENOSPC and EDQUOT, as .NET reports them on Linux (the errno in HResult).</summary>
    static bool IsFull(IOException e) => e.HResult is 28 or 122 || e.Message.Contains("No space left on device", StringComparison.Ordinal);

    /// <summary>What a refused write tells the API's client and the isle's status: the file, the cause, what to do.</summary>
    IslanderException WriteFailed(IOException e)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(_path));
        return IsFull(e)
            ? new IslanderException($"no space left on device under {dir}: the state database {_path} cannot be written; free space on that file system " +
                "(or grow it). Nothing recorded before was lost; islanderd retries by itself once space returns", ErrorCategory.InsufficientStorage, e)
            : new IslanderException($"the state database {_path} cannot be written: {e.Message}; nothing recorded before was lost, islanderd retries by itself", ErrorCategory.Transient, e);
    }

    /// <summary>
    /// Gives the event the next id and keeps it in memory; it reaches disk with the next write (a transition is
    /// saved right after its event) or <see cref="FlushEvents"/>. Events are history, not state: a crash may lose
    /// the last few, never a record.
    /// </summary>
    public void AddEvent(EventRecord e)
    {
        lock (_writeLock)
        {
            e.Id = ++_lastEventId;
            _pendingEvents.Add(e);
            _recentEvents.AddLast(e);
            if (_recentEvents.Count > EventLimit) _recentEvents.RemoveFirst();
        }
    }

    /// <summary>
    /// Writes events not yet on disk (no-op when there are none). Never throws for a write the disk refuses: events are
    /// history, and its callers are the end of a reconcile pass (before its key is marked done) and of a scan, which
    /// must go on. The events stay in memory for watchers; the next write that passes takes those still pending.
    /// </summary>
    public void FlushEvents()
    {
        try
        {
            long ticket;
            lock (_writeLock)
            {
                if (_pendingEvents.Count == 0) return;
                ticket = Commit(() => { }, frees: true); // a few small documents: history of what happened
            }
            WaitDurable(ticket);
        }
        catch (IslanderException e) when (e.Category is ErrorCategory.InsufficientStorage or ErrorCategory.Transient)
        {
            _log?.LogDebug("State database {Path}: events not written: {Error}", _path, e.Message);
        }
    }

    void FlushEventsLocked()
    {
        if (_pendingEvents.Count == 0) return;
        _wrote = true;
        _events.InsertBulk(_pendingEvents);
        var oldest = _pendingEvents[^1].Id - EventLimit;
        _pendingEvents.Clear();
        if (oldest > 0 && oldest % 50 < 5) _events.DeleteMany(x => x.Id <= oldest);
    }

    public IReadOnlyList<EventRecord> Events(int limit = EventLimit)
    {
        lock (_writeLock) return _recentEvents.Skip(Math.Max(0, _recentEvents.Count - limit)).ToList();
    }

    static IsleRecord Clone(IsleRecord r)
    {
        var c = (IsleRecord)r.MemberwiseCloneCopy();
        c.Addresses = new Dictionary<string, string>(r.Addresses);
        return c;
    }

    /// <summary>The isle's addresses (network → ip) from the networks' IPAM allocations: the status shows what IPAM holds.</summary>
    public Dictionary<string, string> AddressesOf(string isle) =>
        _networkCache.Values.Where(n => n.Allocations.ContainsKey(isle)).OrderBy(n => n.Name, StringComparer.Ordinal)
            .ToDictionary(n => n.Name, n => n.Allocations[isle]);

    /// <summary>
    /// Writes and commits one small document (the time of the check), as every transition does, then writes, syncs and
    /// removes a 4 KiB file beside the database: a commit may still fit in blocks LiteDB's log holds, while a new file
    /// needs a fresh one. Throws what a write would (LiteException, IOException on a
    /// full disk or a read-only file system, ObjectDisposedException; IslanderException while the reserve is released).
    /// For <c>/readyz</c>.
    /// </summary>
    public void Probe(DateTimeOffset now)
    {
        // The collection is taken inside the write: a commit after an error opens the file again, a new LiteDatabase.
        Write(() => _db.GetCollection("health").Upsert(new BsonDocument { ["_id"] = "probe", ["at"] = now.UtcTicks })); // refused while on the reserve
        if (_path == ":memory:") return;
        var probe = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(_path))!, $".probe-{Guid.NewGuid():N}");
        try
        {
            using var f = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.WriteThrough);
            f.Write(new byte[4096]);
            f.Flush(flushToDisk: true);
        }
        finally
        {
            File.Delete(probe);
        }
    }

    public void Dispose()
    {
        FlushEvents();
        lock (_writeLock) LiteDatabases.Close(_db); // not under a transaction of another thread
    }
}
