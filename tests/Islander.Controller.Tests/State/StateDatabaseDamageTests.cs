using Islander.Controller.State;
using Microsoft.Extensions.Time.Testing;

namespace Islander.Controller.Tests; // not .State: it would hide Islander.Controller.State from the other tests

/// <summary>
/// A state database damaged while islanderd was down (cut short, bytes flipped in any page, its log deleted, a header
/// that is not LiteDB's): the store opens anyway, moves the file aside, keeps the collections that still read whole,
/// says what it did in an event, and writes as before. Before, each of these made islanderd abort at start, over and
/// over under systemd.
/// </summary>
public sealed class StateDatabaseDamageTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("islander-damage-").FullName;
    readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 5, 16, 0, 0, TimeSpan.Zero));

    string Db => StateStore.FileIn(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A database as a daemon with 40 isles on a network leaves it; returns its bytes.</summary>
    byte[] Write()
    {
        using (var store = new StateStore(Db, StateSchema.Migrations, _time))
        {
            var net = new NetworkRecord { Name = "back", Subnet = "10.88.0.0/24", Gateway = "10.88.0.1", Bridge = "isl-back", Ready = true };
            store.Batch(() =>
            {
                for (int i = 0; i < 40; i++)
                {
                    store.SaveIsle(new IsleRecord { Name = $"isle-{i:00}", State = Islander.Model.IslePhase.Running, Pid = 1000 + i, SpecHash = new string('a', 64) });
                    store.SaveDesired(new DesiredRecord { Id = $"Isle/isle-{i:00}", Origin = "api", Owner = "api", Generation = 1 });
                    net.Allocations[$"isle-{i:00}"] = $"10.88.0.{i + 2}";
                    store.AddEvent(new EventRecord { Time = _time.GetUtcNow(), Kind = "Isle", Name = $"isle-{i:00}", Reason = "Started", Message = new string('m', 200) });
                }
                store.SaveNetwork(net);
            });
        }
        return File.ReadAllBytes(Db);
    }

    /// <summary>Opens the damaged file; asserts what a user must see, and that the store writes and reads back.</summary>
    void OpensAndSaysSo(string what)
    {
        StateStore store;
        try
        {
            store = new StateStore(Db, StateSchema.Migrations, _time);
        }
        catch (Exception e)
        {
            Assert.Fail($"{what}: the store did not open: {e}");
            throw;
        }
        using (store)
        {
            var damaged = store.Events().SingleOrDefault(e => e.Reason == "StateDatabaseDamaged");
            Assert.True(damaged is not null, $"{what}: no StateDatabaseDamaged event");
            Assert.Contains($"state database {Db} is damaged", damaged.Message);
            var aside = Directory.GetFiles(_dir, "islander.db.corrupt-*").Single(f => !f.Contains("-log", StringComparison.Ordinal));
            Assert.Contains($"moved aside to {aside}", damaged.Message);
            Assert.Contains("Lost: ", damaged.Message);
            foreach (var isle in store.Isles()) Assert.StartsWith("isle-", isle.Name); // what was kept is what was written
            store.SaveIsle(new IsleRecord { Name = "after", Pid = 7 });
        }
        using (var again = new StateStore(Db, StateSchema.Migrations, _time))
        {
            Assert.Equal(7, again.GetIsle("after")?.Pid);
            Assert.DoesNotContain(again.Events(), e => e.Reason == "StateDatabaseDamaged" && again.Events().Count(x => x.Reason == e.Reason) > 1);
        }
        Assert.Single(Directory.GetFiles(_dir, "islander.db.corrupt-*"), f => !f.Contains("-log", StringComparison.Ordinal));
    }

    void Reset(byte[] bytes)
    {
        foreach (var f in Directory.GetFiles(_dir)) File.Delete(f);
        File.WriteAllBytes(Db, bytes);
    }

    [Fact]
    public void CutShortAtAnyLength_Opens_MovesItAside_SaysWhatItLost()
    {
        var bytes = Write();
        foreach (int length in new[] { 1, 100, 4096, 8191, 8192, 8193, 16384, bytes.Length / 2, bytes.Length - 8192, bytes.Length - 1 })
        {
            Reset(bytes[..length]);
            OpensAndSaysSo($"cut to {length} of {bytes.Length} bytes");
        }
    }

    [Fact]
    public void BytesFlippedInEveryPage_Opens_MovesItAside_KeepsWhatReadsWhole()
    {
        var bytes = Write();
        var random = new Random(13);
        int damaged = 0;
        for (int page = 0; page < bytes.Length / 8192; page++)
        {
            var copy = (byte[])bytes.Clone();
            int at = page * 8192 + (page % 2 == 0 ? 40 : random.Next(0, 8192 - 16));
            for (int i = 0; i < 16; i++) copy[at + i] ^= (byte)random.Next(1, 256);
            Reset(copy);
            using var store = new StateStore(Db, StateSchema.Migrations, _time); // throws (the test fails) where islanderd aborted
            if (store.Events().FirstOrDefault(e => e.Reason == "StateDatabaseDamaged") is not { } e)
                continue; // free space, or a field LiteDB does not check
            damaged++;
            Assert.Contains($"state database {Db} is damaged", e.Message);
            Assert.Contains("moved aside to " + Path.Combine(_dir, "islander.db.corrupt-"), e.Message);
            store.SaveIsle(new IsleRecord { Name = "after", Pid = 7 });
            Assert.Equal(7, store.GetIsle("after")?.Pid);
        }
        Assert.True(damaged > 0, "no flip was noticed: the check cannot fail");
        TestContext.Current.TestOutputHelper?.WriteLine($"{damaged} of {bytes.Length / 8192} pages with flipped bytes made a damaged file");
    }

    [Fact]
    public void NotLiteDbAtAll_Opens_MovesItAside()
    {
        Reset(Enumerable.Repeat((byte)'x', 3 * 8192).ToArray());
        OpensAndSaysSo("a file of x");
    }

    [Fact]
    public void ZeroLength_OpensEmpty_NoFileAside()
    {
        Reset([]);
        using var store = new StateStore(Db, StateSchema.Migrations, _time);
        Assert.Empty(store.Isles());
        Assert.Empty(Directory.GetFiles(_dir, "islander.db.corrupt-*"));
    }

    [Fact]
    public void KilledThenLogDeleted_OpensAtTheLastCheckpoint_NoDamage()
    {
        string snap = Path.Combine(_dir, "snap");
        using (var store = new StateStore(Db, StateSchema.Migrations, _time))
        {
            for (int i = 0; i < 5; i++) store.SaveIsle(new IsleRecord { Name = $"isle-{i}", Pid = 100 + i });
            File.Copy(Db, snap); // the file as a SIGKILL leaves it: the commits are in the log, not yet in the file
        }
        Reset(File.ReadAllBytes(snap)); // and the log deleted: what the file held at its last checkpoint, and no damage
        using var reopened = new StateStore(Db, StateSchema.Migrations, _time);
        Assert.DoesNotContain(reopened.Events(), e => e.Reason == "StateDatabaseDamaged");
        reopened.SaveIsle(new IsleRecord { Name = "after", Pid = 7 });
        Assert.Equal(7, reopened.GetIsle("after")?.Pid);
    }
}
