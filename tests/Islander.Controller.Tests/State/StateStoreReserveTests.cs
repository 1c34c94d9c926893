using System.Diagnostics;
using Islander.Controller.State;
using Islander.Model;
using Islander.Testing;

namespace Islander.Controller.Tests; // not .State: it would hide Islander.Controller.State from the other tests

/// <summary>
/// The reserve beside the state database: a write the full file system refuses releases it and passes, so that the
/// deletion of the isle that filled the file system can be recorded; it is taken again once space returns. On a tmpfs
/// of its own (root), filled by a file as an isle's writable layer fills it. Without a reserve the same write is refused,
/// as every write was before it.
/// </summary>
public sealed class StateStoreReserveTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("islander-reserve-").FullName;
    bool _mounted;

    public StateStoreReserveTests()
    {
        HostCaps.RequireRoot();
        Run("mount", "-t", "tmpfs", "-o", "size=8m,mode=0700", "islander-reserve", _dir);
        _mounted = true;
    }

    public void Dispose()
    {
        if (_mounted) Run("umount", "-l", _dir);
        Directory.Delete(_dir, recursive: true);
    }

    string Db => StateStore.FileIn(_dir);

    string Reserve => StateStore.ReserveIn(_dir);

    string Filler => Path.Combine(_dir, "filler");

    [Fact]
    public void FullFileSystem_AWriteReleasesTheReserveAndPasses_TheReserveIsTakenAgainWhenSpaceReturns()
    {
        using (var store = new StateStore(Db, reserveBytes: 1 << 20))
        {
            Assert.Equal(1 << 20, new FileInfo(Reserve).Length);
            store.SaveIsle(Isle("before"));
            FullFileSystem.Fill(Filler);

            store.SaveIsle(Isle("filler", IslePhase.Deleting)); // the first step of a deletion
            Assert.False(File.Exists(Reserve), "the reserve was released");
            store.DeleteIsle("filler");
            var notReady = Assert.Throws<IslanderException>(() => store.Probe(DateTimeOffset.UtcNow)); // /readyz
            Assert.Contains("islanderd runs on its reserve", notReady.Message);
            var newWork = Assert.Throws<IslanderException>(() => store.SaveIsle(Isle("new"))); // the room is kept for deletions
            Assert.Equal(ErrorCategory.InsufficientStorage, newWork.Category);

            File.Delete(Filler);
            store.SaveIsle(Isle("after"));
            Assert.Equal(1 << 20, new FileInfo(Reserve).Length);
            store.Probe(DateTimeOffset.UtcNow);
        }
        using var again = new StateStore(Db, reserveBytes: 1 << 20);
        Assert.Equal(["after", "before"], again.Isles().Select(i => i.Name));
    }

    [Fact]
    public void FullFileSystem_WithoutAReserve_TheWriteIsRefusedWithTheReason()
    {
        using var store = new StateStore(Db, reserveBytes: 0);
        store.SaveIsle(Isle("before"));
        FullFileSystem.Fill(Filler);
        // A commit may still pass in blocks LiteDB holds; the file system stays full, so one soon does not.
        var refused = Assert.Throws<IslanderException>(() =>
        {
            for (int i = 0; i < 100; i++) store.SaveIsle(Isle($"isle-{i}", IslePhase.Running, new string('m', 4000)));
        });
        Assert.Equal(ErrorCategory.InsufficientStorage, refused.Category);
        Assert.False(File.Exists(Reserve));
    }

    /// <summary>
    /// Events are history: a flush the full file system refuses must not throw. A reconcile pass flushes in its finally,
    /// before it marks its key done; a throw there left the key taken for good, so its isle was never reconciled again.
    /// </summary>
    [Fact]
    public void FullFileSystem_WithoutAReserve_AFlushOfEventsDoesNotThrow_AndTheStoreWritesWhenSpaceReturns()
    {
        using var store = new StateStore(Db, reserveBytes: 0);
        store.SaveIsle(Isle("before"));
        FullFileSystem.Fill(Filler);
        for (int i = 0; i < 200; i++)
        {
            store.AddEvent(new EventRecord { Time = DateTimeOffset.UtcNow, Type = EventType.Normal, Kind = "Isle", Name = "web", Reason = "Started", Message = new string('m', 4000) });
            store.FlushEvents();
        }
        File.Delete(Filler);
        store.SaveIsle(Isle("after"));
        Assert.Equal(["after", "before"], store.Isles().Select(i => i.Name));
        // The file reopened after the errors is this store's, at its version: no migration and no backup copy of it.
        Assert.Empty(Directory.GetFiles(_dir, "islander-v*"));
    }

    /// <summary>
    /// A commit the full disk refused half-way leaves LiteDB's transaction unable to dispose itself: LiteDB moves each page
    /// to its read cache before it writes it, so discarding the transaction's pages throws ("discarded page must be
    /// writable"). LiteDB 5 keeps the transaction in a slot of the thread that made it, and its finalizer runs that
    /// dispose on the GC's thread once the thread has ended (a thread-pool thread retires after a quiet spell): the
    /// exception there ended the process. Here the refused commit is made on a thread that then ends.
    /// </summary>
    [Fact]
    public void FullFileSystem_ARefusedCommitOnAThreadThatEnds_LeavesNothingThatACollectionLaterThrowsFrom()
    {
        var store = new StateStore(Db, reserveBytes: 0);
        store.SaveIsle(Isle("before"));
        FullFileSystem.Fill(Filler);
        Exception? refused = null;
        var writer = new Thread(() => refused = Record.Exception(() =>
        {
            for (int i = 0; i < 100; i++) store.SaveIsle(Isle($"isle-{i}", IslePhase.Running, new string('m', 4000)));
        }));
        writer.Start();
        writer.Join();
        Assert.Equal(ErrorCategory.InsufficientStorage, Assert.IsType<IslanderException>(refused).Category);
        File.Delete(Filler);
        store.SaveIsle(Isle("after")); // the file is opened again: the refused one is closed
        store.Dispose();
        for (int i = 0; i < 3; i++) // the ended thread's slots go at the first collection, the transaction at the next
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        using var again = new StateStore(Db, reserveBytes: 0);
        Assert.Contains("after", again.Isles().Select(i => i.Name));
    }

    static IsleRecord Isle(string name, IslePhase state = IslePhase.Running, string? message = null) =>
        new() { Name = name, State = state, Pid = 1000, SpecHash = new string('a', 64), Message = message };

    static void Run(string file, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true })!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{file} {string.Join(' ', args)}: {err}");
    }
}
