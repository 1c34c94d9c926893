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
}
