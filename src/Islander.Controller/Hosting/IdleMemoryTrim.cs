using System.Diagnostics;
using Islander.Drivers.Interop;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Islander.Controller.Hosting;

/// <summary>
/// Gives back the memory a busy period of the API took, once the API is quiet. The GC grows its heap and its
/// committed memory to the allocation rate of a load (100 clients: committed 24 → 45 MiB) and keeps them: an idle
/// daemon allocates too little to ever trigger the full collection that would decommit them, so islanderd stayed at
/// its peak RSS for good. When no request has begun for <see cref="Quiet"/> and the process's resident memory (VmRSS) is
/// at least <see cref="Growth"/> above what it was after the last trim, one aggressive, compacting collection
/// decommits the free space and malloc_trim(3) returns the free pages of glibc's arenas (the runtime's native
/// allocations, made by the burst of thread-pool threads); a second one after <see cref="SecondQuiet"/> of the same
/// quiet takes what was released since (Kestrel's pool blocks, retired threads). It takes milliseconds on the daemon's small heap, and
/// only after a load: a daemon whose API sees a request now and then never grows by that much. The first quiet
/// period after the start trims once whatever the growth: starting (the JIT compiling the first passes and requests,
/// the manifests' first load) leaves freed malloc and GC memory that an idle daemon would otherwise keep for good.
/// </summary>
public sealed class IdleMemoryTrim(TimeProvider time, ILogger<IdleMemoryTrim> log) : IHostedService, IDisposable
{
    /// <summary>How long the API must have had no new request.</summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Growth of the resident memory since the last trim that is worth a full collection. Resident, not the GC's
    /// committed memory: 50 isles' starts and 100 one-shots grow the daemon by some 20 MiB of malloc'd and GC memory,
    /// but its heap by less than this once LiteDB's cache stays small (<c>StateStore.CheckpointPages</c>), so a rule on
    /// the heap alone never trimmed them.
    /// </summary>
    public const long Growth = 16L << 20;

    /// <summary>
    /// The same quiet period's second trim: what Kestrel's memory pool evicts and the thread pool's retiring threads
    /// leave is garbage only some 10–20 s after the load, after the first trim.
    /// </summary>
    public static readonly TimeSpan SecondQuiet = TimeSpan.FromSeconds(25);

    long _lastRequest;
    long _residentAfterTrim;
    long _trimmedAt;
    bool _secondDue;
    bool _settled;
    ITimer? _timer;

    /// <summary>Middleware: notes when each request begins (a long stream counts once, at its start).</summary>
    public Task Track(HttpContext context, RequestDelegate next)
    {
        Volatile.Write(ref _lastRequest, time.GetTimestamp());
        return next(context);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _lastRequest = time.GetTimestamp();
        _residentAfterTrim = Environment.WorkingSet;
        _timer = time.CreateTimer(_ => Check(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _timer?.Dispose();

    /// <summary>
    /// True when the API has been quiet for <see cref="Quiet"/> after the resident memory grew by <see cref="Growth"/>,
    /// or for the first time since the start (<paramref name="settled"/> false).
    /// </summary>
    public static bool Due(TimeSpan quietFor, long resident, long residentAfterTrim, bool settled = true) =>
        quietFor >= Quiet && (!settled || resident - residentAfterTrim >= Growth);

    void Check()
    {
        long resident = Environment.WorkingSet;
        long lastRequest = Volatile.Read(ref _lastRequest);
        var quietFor = time.GetElapsedTime(lastRequest);
        if (_secondDue && lastRequest > _trimmedAt) _secondDue = false; // busy again: the growth rule decides
        if (_secondDue && quietFor >= SecondQuiet) _secondDue = false;
        else if (Due(quietFor, resident, _residentAfterTrim, _settled)) _secondDue = true;
        else return;
        _settled = true;
        _trimmedAt = time.GetTimestamp();
        var sw = Stopwatch.StartNew();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        NativeHeap.Trim();
        _residentAfterTrim = Environment.WorkingSet;
        log.LogDebug("The API is quiet: resident {Before} -> {After} MiB after a full collection and glibc's arenas trimmed, in {Ms} ms",
            resident >> 20, _residentAfterTrim >> 20, sw.ElapsedMilliseconds);
    }
}
