using Islander.Controller.Hosting;
using Islander.Controller.Reconcile;
using Islander.Controller.State;
using Islander.Model;
using LiteDB;
using Microsoft.Extensions.Options;

namespace Islander.Controller.Metrics;

/// <summary>
/// The answers of <c>/healthz</c> and <c>/readyz</c> (Kubernetes' liveness and readiness):
/// <list type="bullet">
/// <item>live: the reconcile loop makes progress. It is idle (nothing queued, no pass running), or a pass finished in
/// the last <see cref="StuckResyncs"/> resync intervals (plus the longest stopTimeout of an isle being stopped).
/// A loop whose every worker hangs (a runtime call that never returns) answers 503 with the passes in flight and the queue's depth, so a supervisor restarts the daemon.</item>
/// <item>ready: the first full enqueue was done (the daemon has looked at everything it knows) and the state store
/// takes a write (<see cref="StateStore.Probe"/>: a full disk, a read-only remount or an I/O error answer 503).</item>
/// </list>
/// </summary>
public sealed class DaemonHealth(ReconcileMetrics metrics, ReconcileQueue queue, StateStore store, TimeProvider time, IOptions<DaemonOptions> options)
{
    /// <summary>
    /// Resync intervals without a finished pass while there is work before the loop counts as stuck: every resync
    /// enqueues every key, so a working loop finishes passes at least that often; a stop may wait a stopTimeout (10 s
    /// by default) outside its worker, and three intervals (90 s by default) leave room for that.
    /// </summary>
    public const int StuckResyncs = 3;

    public HealthAnswer Live()
    {
        var m = metrics.Read();
        int depth = queue.Depth;
        if (m.InFlight == 0 && depth == 0) return new HealthAnswer(true, "ok: reconcile loop idle");
        var quiet = time.GetUtcNow() - m.LastFinished;
        // A stop waits out its isle's stopTimeout by design (a PID 1 that ignores SIGTERM), however long it was set.
        var stopping = store.Isles().Where(r => r.State is IslePhase.Stopping or IslePhase.Deleting)
            .Select(r => r.StopTimeout).DefaultIfEmpty(TimeSpan.Zero).Max();
        var limit = options.Value.Resync * StuckResyncs + stopping;
        if (quiet <= limit) return new HealthAnswer(true, $"ok: last reconcile pass finished {Seconds(quiet)}s ago");
        return new HealthAnswer(false,
            $"reconcile loop stuck: no pass finished for {Seconds(quiet)}s (limit {Seconds(limit)}s: {StuckResyncs} resync intervals " +
            $"and the longest stop timeout of a stopping isle, {Seconds(stopping)}s); " +
            $"{m.InFlight} pass(es) running, {depth} key(s) queued");
    }

    public HealthAnswer Ready()
    {
        if (!metrics.FullEnqueueWasDone) return new HealthAnswer(false, "not ready: the reconcile loop has not enqueued every object yet");
        try
        {
            store.Probe(time.GetUtcNow());
        }
        catch (Exception e) when (e is IOException or LiteException or ObjectDisposedException or UnauthorizedAccessException or Islander.Model.IslanderException)
        {
            return new HealthAnswer(false, $"not ready: the state store cannot be written: {e.Message}");
        }
        return new HealthAnswer(true, "ok");
    }

    static string Seconds(TimeSpan t) => ((long)t.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
