using Islander.Controller.Api;
using Islander.Controller.State;
using Islander.Model;

namespace Islander.Controller.Tests; // not .State: it would hide Islander.Controller.State from the other tests

/// <summary>
/// The last record of a deleted isle, which the watch's DELETED line carries (<see cref="WatchEndpoint.LastState"/>): as
/// last committed, until an isle of that name is saved again. A real store on a real file.
/// </summary>
public sealed class StateStoreDeletedIslesTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("islander-deleted-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void DeleteIsle_ItsLastCommittedRecordStaysReadable_UntilThatNameIsSavedAgain()
    {
        using var store = new StateStore(StateStore.FileIn(_dir), reserveBytes: 0);
        store.SaveIsle(new IsleRecord { Name = "job", State = IslePhase.Failed, ExitCode = 3, Reason = Reasons.Error });
        Assert.Null(store.DeletedIsle("job"));

        store.DeleteIsle("job");

        Assert.Null(store.GetIsle("job"));
        var last = store.DeletedIsle("job");
        Assert.Equal((IslePhase.Failed, (int?)3, Reasons.Error), (last!.State, last.ExitCode, last.Reason));
        last.ExitCode = 0; // a copy: the kept record stays as committed
        Assert.Equal(3, store.DeletedIsle("job")!.ExitCode);

        store.SaveIsle(new IsleRecord { Name = "job", State = IslePhase.Creating });
        Assert.Null(store.DeletedIsle("job"));
        store.DeleteIsle("never-saved");
        Assert.Null(store.DeletedIsle("never-saved"));
    }

    /// <summary>
    /// The watch sent the isle Running; its exit and its deletion were committed before it looked again (islanderctl run
    /// --rm deletes when the log ends): the DELETED line carries the exit. An isle still there (no longer selected) keeps
    /// the view sent last.
    /// </summary>
    [Fact]
    public void WatchLastState_ExitCommittedJustBeforeTheDeletion_TheDeletedLineCarriesIt()
    {
        using var store = new StateStore(StateStore.FileIn(_dir), reserveBytes: 0);
        var key = ObjectKey.Isle("job");
        store.SaveIsle(new IsleRecord { Name = "job", State = IslePhase.Running, Pid = 4242 });
        var sent = ObjectViews.Object(null, store.GetIsle("job"), key);
        Assert.Same(sent, WatchEndpoint.LastState(key, sent, store)); // still there

        store.SaveIsle(new IsleRecord { Name = "job", State = IslePhase.Failed, ExitCode = 3, Reason = Reasons.Error });
        store.DeleteIsle("job");
        var last = WatchEndpoint.LastState(key, sent, store);

        Assert.Equal(("job", "Failed", (int?)3, (int?)null), (last.Metadata.Name, last.Status.Phase, last.Status.ExitCode, last.Status.Pid));
    }

    /// <summary>
    /// The 256 isles deleted last are kept, the oldest forgotten first. The set was once emptied when full: the isle
    /// deleted just before lost its record before its watch read it, and one of some thousands of
    /// <c>islanderctl run --rm</c> (4 at a time) said "deleted while it ran" of an isle whose exit was committed.
    /// </summary>
    [Fact]
    public void DeleteIsle_ManyInARow_TheLast256KeepTheirRecords_TheOldestGoFirst()
    {
        using var store = new StateStore(StateStore.FileIn(_dir), reserveBytes: 0);
        store.Batch(() =>
        {
            for (int i = 0; i < 300; i++)
                store.SaveIsle(new IsleRecord { Name = $"job-{i}", State = IslePhase.Succeeded, ExitCode = i % 7 });
        });

        store.Batch(() =>
        {
            for (int i = 0; i < 300; i++)
                store.DeleteIsle($"job-{i}");
        });

        Assert.All(Enumerable.Range(0, 44), i => Assert.Null(store.DeletedIsle($"job-{i}")));
        Assert.All(Enumerable.Range(44, 256), i => Assert.Equal(i % 7, store.DeletedIsle($"job-{i}")?.ExitCode));

        // A name deleted again moves to the newest end: it stays while older ones go (two here, one a deletion).
        store.SaveIsle(new IsleRecord { Name = "job-50", State = IslePhase.Failed, ExitCode = 9 });
        store.DeleteIsle("job-50");
        store.SaveIsle(new IsleRecord { Name = "late", State = IslePhase.Succeeded, ExitCode = 0 });
        store.DeleteIsle("late");
        Assert.Equal(9, store.DeletedIsle("job-50")?.ExitCode);
        Assert.Equal(0, store.DeletedIsle("late")?.ExitCode);
        Assert.Null(store.DeletedIsle("job-45"));
        Assert.Equal(46 % 7, store.DeletedIsle("job-46")?.ExitCode);
    }
}
