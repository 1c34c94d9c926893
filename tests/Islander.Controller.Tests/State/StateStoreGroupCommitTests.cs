using System.Diagnostics;
using System.Threading.Channels;
using Islander.Controller.Desired;
using Islander.Controller.Events;
using Islander.Controller.State;
using Islander.Model;

namespace Islander.Controller.Tests; // not .State: it would hide Islander.Controller.State from the other tests

/// <summary>
/// The group commit: commits made while a sync of LiteDB's log runs share the next one, and no caller returns, nor does
/// anything read its change or hear of its event, before a sync that began after its commit has returned. A real store
/// on a real file; the first sync is held (<see cref="StateStore.BeforeSync"/>) so that the others overlap it.
/// </summary>
public sealed class StateStoreGroupCommitTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("islander-groupcommit-").FullName;
    readonly ManualResetEventSlim _syncHeld = new();
    readonly ManualResetEventSlim _release = new();
    int _syncsBegun;

    public void Dispose()
    {
        _release.Set();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>A store whose first sync (after it opened) waits for <see cref="_release"/>.</summary>
    StateStore Store()
    {
        var store = new StateStore(StateStore.FileIn(_dir), reserveBytes: 0);
        store.BeforeSync = () =>
        {
            if (Interlocked.Increment(ref _syncsBegun) != 1) return;
            _syncHeld.Set();
            Assert.True(_release.Wait(TimeSpan.FromSeconds(60)), "the test released the held sync");
        };
        return store;
    }

    /// <summary>
    /// A batch that writes nothing (a rescan that changed nothing) is no commit and no sync; a write in a batch is one,
    /// also when an empty batch follows it inside (it must still be synced before its caller returns).
    /// </summary>
    [Fact]
    public void ABatchOfNoWrite_IsNoCommitAndNoSync_AWriteBeforeAnEmptyBatchInside_IsSynced()
    {
        using var store = new StateStore(StateStore.FileIn(_dir), reserveBytes: 0);
        long commits = store.Commits, syncs = store.Syncs;

        store.Batch(() => { });
        Assert.Equal((commits, syncs), (store.Commits, store.Syncs));

        store.Batch(() =>
        {
            store.SaveIsle(new IsleRecord { Name = "web", State = IslePhase.Running });
            store.Batch(() => { });
        });
        Assert.Equal(commits + 1, store.Commits);
        Assert.Equal(syncs + 1, store.Syncs);
    }

    [Fact]
    public async Task CommitsMadeWhileASyncRuns_ShareOneSync_AndEachCallerReturnsOnlyOnceItsRecordIsDurable()
    {
        const int writers = 8;
        using var store = Store();
        long syncs = store.Syncs, commits = store.Commits;
        int returned = 0;
        Task Save(string name) => Task.Run(() =>
        {
            store.SaveIsle(Isle(name));
            Interlocked.Increment(ref returned);
        }, TestContext.Current.CancellationToken);

        var first = Save("w0");
        Assert.True(_syncHeld.Wait(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken), "the first commit's sync began");
        var others = Enumerable.Range(1, writers - 1).Select(i => Save($"w{i}")).ToList();
        WaitFor(() => store.Commits == commits + writers, "every writer committed while the first sync is held");

        Assert.Equal(0, Volatile.Read(ref returned)); // committed, not yet durable: no caller is answered
        Assert.Null(store.GetIsle("w0")); // nor does anyone read the change
        Assert.Null(store.GetIsle("w7"));
        // What a killed islanderd leaves on disk now holds every commit (LiteDB wrote its log's pages).
        Assert.Equal(Names(writers), CopyAndOpen(s => s.Isles().Select(r => r.Name).ToList()));

        _release.Set();
        await Task.WhenAll([first, .. others]).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        Assert.Equal(writers, returned);
        Assert.Equal(2, store.Syncs - syncs); // the held one (w0's), then one for the seven that waited
        Assert.Equal(Names(writers), store.Isles().Select(r => r.Name).ToList());
    }

    [Fact]
    public async Task EventsSavedWithTheirState_WatchersHearThemOnlyOnceDurable_InTheOrderOfTheirIds()
    {
        using var store = Store();
        var events = new EventRecorder(store, TimeProvider.System);
        using var watch = events.Subscribe(history: false);
        var heard = Channel.CreateUnbounded<EventRecord>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var reader = Task.Run(async () =>
        {
            await foreach (var e in watch.ReadAsync(stop.Token)) heard.Writer.TryWrite(e);
        }, stop.Token);

        var started = Task.Run(() => events.Record(ObjectKey.Isle("a"), EventType.Normal, "Started", "pid 1000", () => store.SaveIsle(Isle("a"))),
            TestContext.Current.CancellationToken);
        Assert.True(_syncHeld.Wait(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken), "the save's sync began");
        var noted = events.Record(ObjectKey.Isle("b"), EventType.Normal, "Noted", "no state of its own"); // recorded after, no save

        Assert.False(heard.Reader.TryRead(out var early), $"heard {early?.Reason} before the Started event's state was durable");
        // Listed once committed: a state a batch shows at once (an isle's deletion) never lacks the event that reports it.
        Assert.Equal(["Started", "Noted"], events.Recent().Select(e => e.Reason).TakeLast(2));
        _release.Set();
        var startedEvent = await started.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        Assert.Equal([startedEvent.Id, noted.Id], [(await Next(heard)).Id, (await Next(heard)).Id]);
        Assert.True(startedEvent.Id < noted.Id);
        Assert.Equal(["Started", "Noted"], events.Recent().Select(e => e.Reason).TakeLast(2));
        Assert.Equal(IslePhase.Running, store.GetIsle("a")?.State);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reader);
    }

    [Fact]
    public void AnAddressTaken_IsSeenAtOnce_SurvivesAKill_AndTheIslesNextCommitsSyncCoversIt()
    {
        using var store = new StateStore(StateStore.FileIn(_dir), reserveBytes: 0);
        store.SaveNetwork(new NetworkRecord { Name = "net", Subnet = "10.0.0.0/24", Gateway = "10.0.0.1", Ready = true });
        long syncs = store.Syncs;

        var record = store.GetNetwork("net")!;
        record.Allocations["a"] = "10.0.0.2";
        store.SaveNetworkUnsynced(record);

        Assert.Equal(0, store.Syncs - syncs); // no sync of its own
        Assert.Equal("10.0.0.2", store.GetNetwork("net")!.Allocations["a"]); // the next allocation sees it taken
        // What a killed islanderd leaves on disk holds it (LiteDB wrote its log's pages before Commit returned).
        Assert.Equal("10.0.0.2", CopyAndOpen(s => s.GetNetwork("net")!.Allocations.GetValueOrDefault("a")));
        store.SaveIsle(Isle("a")); // the isle's next commit (Running): one sync, for both
        Assert.Equal(1, store.Syncs - syncs);
    }

    static async Task<EventRecord> Next(Channel<EventRecord> heard) =>
        await heard.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

    static List<string> Names(int n) => Enumerable.Range(0, n).Select(i => $"w{i}").ToList();

    /// <summary>The database and its log as they are on disk now, opened elsewhere (as islanderd would after SIGKILL): what <paramref name="read"/> reads there.</summary>
    T CopyAndOpen<T>(Func<StateStore, T> read)
    {
        var copy = Directory.CreateTempSubdirectory("islander-groupcommit-copy-").FullName;
        try
        {
            foreach (var file in Directory.GetFiles(_dir, "islander*.db"))
                Run("cp", file, Path.Combine(copy, Path.GetFileName(file))); // cp: LiteDB holds the files locked
            using var reopened = new StateStore(StateStore.FileIn(copy), reserveBytes: 0);
            return read(reopened);
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    static void WaitFor(Func<bool> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), $"timed out: {what}");
            Thread.Sleep(5);
        }
    }

    static IsleRecord Isle(string name) => new() { Name = name, State = IslePhase.Running, Pid = 1000, SpecHash = new string('a', 64) };

    static void Run(string file, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true })!;
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{file} {string.Join(' ', args)}: {p.StandardError.ReadToEnd()}");
    }
}
