using Islander.Drivers.Runtime;
using Islander.Model;

namespace Islander.Drivers.Tests.Runtime;

/// <summary>Reading json-file logs from files in a temp directory: rotated files in order, lines not yet whole, filters.</summary>
public sealed class JsonFileLogTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("islander-jsonfilelog-").FullName;

    string Log => Path.Combine(_dir, "log.json");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static string Entry(string log, string time, string stream = "stdout") =>
        $"{{\"log\":\"{log}\\n\",\"stream\":\"{stream}\",\"time\":\"{time}\"}}\n";

    [Fact]
    public void ReadAll_RotatedFiles_OldestFirst_SkipsWhatIsNotAWholeEntry()
    {
        File.WriteAllText(Log + ".2", Entry("a", "2026-12-05T06:00:00.000000001Z"));
        File.WriteAllText(Log + ".1", Entry("b", "2026-12-05T06:00:01.000000000Z") + "not json\n");
        File.WriteAllText(Log, Entry("c", "2026-12-05T06:00:02.000000000Z", "stderr") + "{\"log\":\"half");

        var entries = JsonFileLog.ReadAll(Log);

        Assert.Equal(["a\n", "b\n", "c\n"], entries.Select(e => e.Log));
        Assert.Equal("stderr", entries[2].Stream);
        Assert.Equal("2026-12-05T06:00:00.000000001Z", entries[0].Time);
    }

    [Fact]
    public async Task ReadAsync_SinceUntilTail_FilterThenTail()
    {
        File.WriteAllText(Log, string.Concat(Enumerable.Range(0, 6).Select(i => Entry($"l{i}", $"2026-12-05T06:00:0{i}.000000000Z"))));
        var query = new IsleLogQuery(Tail: 2, Since: DateTimeOffset.Parse("2026-12-05T06:00:01Z"), Until: DateTimeOffset.Parse("2026-12-05T06:00:04Z"));

        var got = new List<string>();
        await foreach (var e in JsonFileLog.ReadAsync(Log, query, () => false, TestContext.Current.CancellationToken))
            got.Add(e.Log);

        Assert.Equal(["l3\n", "l4\n"], got);
    }

    [Fact]
    public async Task ReadAsync_Follow_ReadsALineOnceItIsWhole_ThenARotation_ThenEndsWithTheWriter()
    {
        File.WriteAllText(Log, "");
        bool writing = true;
        var got = new List<string>();
        var reading = Task.Run(async () =>
        {
            await foreach (var e in JsonFileLog.ReadAsync(Log, new IsleLogQuery(Follow: true), () => writing, TestContext.Current.CancellationToken))
                lock (got) got.Add(e.Log);
        }, TestContext.Current.CancellationToken);

        var whole = Entry("one", "2026-12-05T06:00:00.000000000Z");
        File.AppendAllText(Log, whole[..10]);
        await Task.Delay(300, TestContext.Current.CancellationToken);
        lock (got) Assert.Empty(got);
        File.AppendAllText(Log, whole[10..] + Entry("two", "2026-12-05T06:00:01.000000000Z"));
        await Task.Delay(300, TestContext.Current.CancellationToken);
        // The shim's rotation: the old file renamed (its last entry written before), a new one made.
        File.AppendAllText(Log, Entry("three", "2026-12-05T06:00:02.000000000Z"));
        File.Move(Log, Log + ".1");
        File.WriteAllText(Log, Entry("four", "2026-12-05T06:00:03.000000000Z"));
        await Task.Delay(300, TestContext.Current.CancellationToken);
        writing = false;
        await reading.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);

        Assert.Equal(["one\n", "two\n", "three\n", "four\n"], got);
    }

    string Legacy => Path.Combine(_dir, "log");

    static async Task<List<Islander.Model.Api.LogEntryView>> ReadAsync(string log, string legacy, IsleLogQuery query, Func<bool>? writing = null)
    {
        var got = new List<Islander.Model.Api.LogEntryView>();
        await foreach (var e in JsonFileLog.ReadAsync(log, query, writing ?? (() => false), TestContext.Current.CancellationToken, legacy))
            got.Add(e);
        return got;
    }

    [Fact]
    public async Task ReadAsync_LegacyTextLogAlone_IsReadAsStdout_TimedByItsLastWrite()
    {
        // An isle adopted from a release whose shim wrote plain text to log, and no log.json yet.
        File.WriteAllText(Legacy, "hello\nwarning on stderr\nno newline");
        var written = new DateTimeOffset(2026, 12, 5, 6, 0, 0, TimeSpan.Zero);
        File.SetLastWriteTimeUtc(Legacy, written.UtcDateTime);

        var all = await ReadAsync(Log, Legacy, new IsleLogQuery());

        Assert.Equal(["hello\n", "warning on stderr\n", "no newline"], all.Select(e => e.Log));
        Assert.All(all, e => Assert.Equal("stdout", e.Stream));
        Assert.All(all, e => Assert.Equal("2026-12-05T06:00:00.000000000Z", e.Time));
        Assert.Equal(["no newline"], (await ReadAsync(Log, Legacy, new IsleLogQuery(Tail: 1))).Select(e => e.Log));
        Assert.Empty(await ReadAsync(Log, Legacy, new IsleLogQuery(Since: written.AddSeconds(1))));
        Assert.Empty(await ReadAsync(Log, Legacy, new IsleLogQuery(Until: written.AddSeconds(-1))));
        Assert.Equal(3, (await ReadAsync(Log, Legacy, new IsleLogQuery(Since: written, Until: written))).Count);
    }

    [Fact]
    public async Task ReadAsync_LegacyTextLogThenJson_InThatOrder_TailAcrossBoth()
    {
        // Restarted by this release's shim: log.json follows the old text.
        File.WriteAllText(Legacy, "old 1\nold 2\n");
        File.SetLastWriteTimeUtc(Legacy, new DateTime(2026, 12, 5, 5, 0, 0, DateTimeKind.Utc));
        File.WriteAllText(Log, Entry("new 1", "2026-12-05T06:00:00.000000000Z") + Entry("new 2", "2026-12-05T06:00:01.000000000Z", "stderr"));

        Assert.Equal(["old 1\n", "old 2\n", "new 1\n", "new 2\n"], (await ReadAsync(Log, Legacy, new IsleLogQuery())).Select(e => e.Log));
        Assert.Equal(["old 2\n", "new 1\n", "new 2\n"], (await ReadAsync(Log, Legacy, new IsleLogQuery(Tail: 3))).Select(e => e.Log));
        Assert.Equal(["new 1\n", "new 2\n"],
            (await ReadAsync(Log, Legacy, new IsleLogQuery(Since: DateTimeOffset.Parse("2026-12-05T05:30:00Z")))).Select(e => e.Log));
    }

    [Fact]
    public async Task ReadAsync_Follow_FollowsTheLegacyTextLog_WhileItsShimWritesIt()
    {
        File.WriteAllText(Legacy, "before\n");
        bool writing = true;
        var got = new List<string>();
        var reading = Task.Run(async () =>
        {
            await foreach (var e in JsonFileLog.ReadAsync(Log, new IsleLogQuery(Follow: true), () => writing, TestContext.Current.CancellationToken, Legacy))
                lock (got) got.Add(e.Log);
        }, TestContext.Current.CancellationToken);

        await Task.Delay(300, TestContext.Current.CancellationToken);
        File.AppendAllText(Legacy, "after\nlast");
        await Task.Delay(300, TestContext.Current.CancellationToken);
        lock (got) Assert.Equal(["before\n", "after\n"], got);
        writing = false;
        await reading.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);

        Assert.Equal(["before\n", "after\n", "last"], got);
    }
}
