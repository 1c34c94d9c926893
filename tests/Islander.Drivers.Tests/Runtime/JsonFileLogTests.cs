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
}
