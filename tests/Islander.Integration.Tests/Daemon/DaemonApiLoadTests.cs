using System.Diagnostics;
using System.Globalization;
using Islander.Bench.ApiLoad;
using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary>
/// The short form of bench/api-load.sh: 100 API clients (get isles, logs -f, events -w, apply) for 12 s against a real
/// islanderd whose isles write logs, with the same client code (bench/ApiLoad/Load). No request may fail and no stream
/// break or stall; the bounds on time and memory are generous (latency goals are the benchmark's, not a test's), and
/// what the clients held (their connections, the followers' log files) is given back once they are gone.
/// </summary>
[Collection(DaemonAloneCollection.Name)]
public sealed class DaemonApiLoadTests : IAsyncDisposable
{
    readonly DaemonHarness _h;

    public DaemonApiLoadTests()
    {
        HostCaps.RequireRoot();
        _h = new DaemonHarness();
    }

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    /// <summary>
    /// How far above its RSS before the load islanderd may stay after it: what the GC's heap, the thread pool and
    /// glibc's arenas keep once trimmed, with a margin; the load grows the RSS by far more, which stayed.
    /// </summary>
    const long ReturnedWithinKib = 16 * 1024;

    static long RssKib(int pid) =>
        long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    static int Fds(int pid) => Directory.GetFiles($"/proc/{pid}/fd").Length;

    [Fact]
    public async Task HundredClients_NoErrorNoBrokenStreamAndWhatTheyHeldIsGivenBack()
    {
        await _h.StartDaemonAsync();
        int pid = _h.Daemon!.Id;
        var writers = Enumerable.Range(0, 5).Select(_ => _h.NewName("load")).ToList();
        foreach (var name in writers)
            _h.WriteManifest($"{name}.yaml", _h.IsleYaml(name, "i=0; while true; do echo line $i; i=$((i+1)); sleep 0.2; done"));
        foreach (var name in writers) await _h.WaitRunningAsync(name, 30);

        // A short warm-up of every kind (the JIT, the thread pool's first threads), then the daemon's fds at rest.
        var warm = await ApiLoadRun.RunAsync(Options(TimeSpan.FromSeconds(2), 2, 2, 2, 0, []), TestContext.Current.CancellationToken);
        Assert.True(warm.Errors == 0, warm.ToText());
        int fdsBefore = await SettledFdsAsync(pid, int.MaxValue);
        long rssBefore = RssKib(pid);

        long rssPeak = rssBefore;
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                rssPeak = Math.Max(rssPeak, RssKib(pid));
                try { await Task.Delay(200, sampling.Token); }
                catch (OperationCanceledException) { break; }
            }
        }, TestContext.Current.CancellationToken);
        var applied = Enumerable.Range(0, 10).Select(_ => _h.NewName("apply")).ToList();
        var report = await ApiLoadRun.RunAsync(Options(TimeSpan.FromSeconds(12), 40, 30, 20, 10, applied), TestContext.Current.CancellationToken);
        await sampling.CancelAsync();
        await sampler;
        var text = report.ToText();

        Assert.True(report.Errors == 0, text);
        Assert.True(report.Stalled == 0, text);
        foreach (var kind in report.Kinds)
            Assert.True(kind.Requests >= kind.Clients, $"{kind.Kind}: {kind.Requests} requests of {kind.Clients} clients\n{text}");
        Assert.True(report.Kind("logs")!.Items > 0 && report.Kind("events")!.Items > 0, text);
        Assert.True(report.Kind("get")!.Latency.P99 < 2000, $"get isles p99 {report.Kind("get")!.Latency.P99} ms under load\n{text}");
        Assert.True(report.Kind("apply")!.Latency.P99 < 5000, $"apply p99 {report.Kind("apply")!.Latency.P99} ms under load\n{text}");

        // The clients are gone, and their isles (deleted at the end of the run): the daemon holds no more fds than at
        // rest, the follower's log files and the connections closed, and its memory is no higher than at the peak.
        foreach (var name in applied) await WaitGoneAsync(name);
        int fdsAfter = await SettledFdsAsync(pid, fdsBefore + 4);
        Assert.True(fdsAfter <= fdsBefore + 4, $"islanderd holds {fdsAfter} fds after the load, {fdsBefore} before it:\n{FdTargets(pid)}\n{text}");
        // Its memory comes back once the API is quiet (IdleMemoryTrim: 5 s without a request, then one full
        // collection): without it the GC kept the heap the load grew and islanderd stayed near its peak for good.
        var quiet = Stopwatch.StartNew();
        long rssAfter = RssKib(pid);
        while (rssAfter > rssBefore + ReturnedWithinKib && quiet.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(250, TestContext.Current.CancellationToken);
            rssAfter = RssKib(pid);
        }
        var rss = $"RSS before {rssBefore / 1024} MiB, peak {rssPeak / 1024} MiB, {quiet.Elapsed.TotalSeconds:0.0} s after {rssAfter / 1024} MiB";
        Assert.True(rssAfter <= rssBefore + ReturnedWithinKib, $"islanderd's memory did not come back within 30 s of the load: {rss}\n{text}");
        TestContext.Current.TestOutputHelper?.WriteLine($"{text}{rss}; fds {fdsBefore} -> {fdsAfter}");
    }

    ApiLoadOptions Options(TimeSpan duration, int get, int logs, int events, int apply, IReadOnlyList<string> applyNames) => new()
    {
        Socket = _h.Socket, Duration = duration, Get = get, Logs = logs, Events = events, Apply = apply, ApplyNames = applyNames,
        Rootfs = _h.Rootfs, ApplyPause = TimeSpan.FromMilliseconds(250),
    };

    /// <summary>The daemon's fd count once it is at most <paramref name="bound"/> and steady for a second (30 s at most).</summary>
    static async Task<int> SettledFdsAsync(int pid, int bound)
    {
        var sw = Stopwatch.StartNew();
        int last = Fds(pid), steady = 0;
        while (sw.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
            int now = Fds(pid);
            steady = now == last && now <= bound ? steady + 1 : 0;
            last = now;
            if (steady >= 10) break;
        }
        return last;
    }

    async Task WaitGoneAsync(string name)
    {
        var sw = Stopwatch.StartNew();
        while (await _h.GetIsleAsync(name) is not null)
        {
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(30), $"isle {name} was not deleted within 30 s after the load");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    static string FdTargets(int pid) => string.Join("\n", Directory.GetFiles($"/proc/{pid}/fd").Select(fd =>
    {
        try { return new FileInfo(fd).LinkTarget ?? "?"; }
        catch (IOException) { return "(closed)"; }
    }).GroupBy(t => t.StartsWith("socket:", StringComparison.Ordinal) ? "socket" : t.StartsWith("pipe:", StringComparison.Ordinal) ? "pipe" : t)
        .Select(g => $"{g.Count(),4} {g.Key}"));
}
