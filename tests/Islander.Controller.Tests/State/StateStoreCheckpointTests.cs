using Islander.Controller.State;
using Islander.Model;

namespace Islander.Controller.Tests; // not .State: it would hide Islander.Controller.State from the other tests

/// <summary>
/// LiteDB keeps every page of its log in its memory cache until a checkpoint moves them into the database file, and
/// never gives that memory back; the state store checkpoints every <see cref="StateStore.CheckpointPages"/> pages, so
/// the log on disk, and the cache that holds it, stay that small however many commits a daemon makes.
/// </summary>
public sealed class StateStoreCheckpointTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("islander-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ManyCommits_TheLogNeverHoldsMuchMoreThanTheCheckpointsPages()
    {
        const int pageBytes = 8192;
        string db = StateStore.FileIn(_dir), log = StateSchema.LogOf(db);
        long largest = 0;
        using (var store = new StateStore(db))
        {
            // 50 isles written over and over, as their passes do: a few pages a commit, some 1,500 pages in all.
            for (int i = 0; i < 600; i++)
            {
                store.SaveIsle(new IsleRecord { Name = $"isle-{i % 50}", State = IslePhase.Running, Pid = 1000 + i, SpecHash = new string('a', 64), Message = new string('m', 2000) });
                if (File.Exists(log)) largest = Math.Max(largest, new FileInfo(log).Length);
            }
            Assert.Equal(50, store.Isles().Count);
        }
        Assert.True(largest > 0, "the commits went through LiteDB's log");
        // A checkpoint starts after the commit that crossed the limit: one commit's pages over it at most.
        Assert.True(largest <= (StateStore.CheckpointPages + 20) * pageBytes,
            $"LiteDB's log grew to {largest / pageBytes} pages; the state store checkpoints every {StateStore.CheckpointPages}");
    }
}
