using System.Diagnostics;
using Islander.Controller.Hosting;
using Islander.Controller.Ports;
using Islander.Controller.Reconcile;
using Islander.Controller.State;
using Islander.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Islander.Controller.Metrics;

/// <summary>
/// <c>GET /metrics</c> (Prometheus' text format, read at each scrape: the isles' counters through <see cref="IIsleStats"/>
/// as <c>GET stats</c> reads them, nothing sampled in the background), <c>GET /healthz</c> and <c>GET /readyz</c>
/// (<see cref="DaemonHealth"/>: 200 or 503 with a line that says why). On the socket and, when
/// <see cref="Hosting.DaemonOptions.MetricsAddress"/> is set, on that TCP address, which serves these three paths only.
/// </summary>
public static class MetricsEndpoints
{
    public const string MetricsPath = "/metrics";
    public const string HealthPath = "/healthz";
    public const string ReadyPath = "/readyz";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet(MetricsPath, Metrics);
        app.MapGet(HealthPath, (DaemonHealth health) => Answer(health.Live()));
        app.MapGet(ReadyPath, (DaemonHealth health) => Answer(health.Ready()));
    }

    static IResult Answer(HealthAnswer a) => Results.Text(a.Message + "\n", "text/plain; charset=utf-8", statusCode: a.Ok ? 200 : 503);

    static IResult Metrics(HttpContext context, StateStore store, ReconcileQueue queue, ReconcileMetrics reconcile) =>
        Results.Text(Write(store, context.RequestServices.GetService<IIsleStats>(), queue, reconcile), PrometheusText.ContentType);

    /// <summary>The whole exposition: the isles' families, then the loop's and the process's.</summary>
    public static string Write(StateStore store, IIsleStats? stats, ReconcileQueue queue, ReconcileMetrics reconcile)
    {
        var text = new PrometheusText();
        var isles = store.Isles();
        WriteIsles(text, isles, isles.Select(r => (r.Name, Sample: stats?.Read(r.Name))).Where(s => s.Sample is not null).Select(s => (s.Name, s.Sample!)).ToList());
        WriteLoop(text, queue, reconcile.Read());
        WriteProcess(text);
        return text.ToString();
    }

    static void WriteIsles(PrometheusText text, IReadOnlyList<IsleRecord> isles, List<(string Name, IsleStats Sample)> running)
    {
        // kube_pod_status_phase: one series per phase, 1 for the current one, so sum by (phase) counts isles per phase.
        text.Family("islander_isle_status_phase", "gauge", "The isle's phase: 1 for the current phase, 0 for the others.");
        foreach (var r in isles)
            foreach (var phase in Enum.GetValues<IslePhase>())
                text.Sample("islander_isle_status_phase", r.State == phase ? 1 : 0, ("isle", r.Name), ("phase", phase.ToString()));
        text.Family("islander_isle_restarts_total", "counter", "Restarts of the isle since it was created or its spec last changed.");
        foreach (var r in isles) text.Sample("islander_isle_restarts_total", r.RestartCount, ("isle", r.Name));

        Counter(text, running, "islander_isle_cpu_seconds_total", "CPU time the running isle used, all cores together.", s => s.CpuNanoseconds / 1e9);
        Counter(text, running, "islander_isle_memory_working_set_bytes", "Memory the running isle uses less its inactive file cache.", s => s.MemoryBytes, "gauge");
        Counter(text, running, "islander_isle_memory_limit_bytes", "The running isle's memory limit (only isles with one).", s => s.MemoryLimitBytes, "gauge");
        Counter(text, running, "islander_isle_tasks", "Tasks (processes and threads) in the running isle.", s => s.Pids, "gauge");
        Counter(text, running, "islander_isle_network_receive_bytes_total", "Bytes the running isle received (loopback aside; not for isles on the host's network).", s => s.NetworkRxBytes);
        Counter(text, running, "islander_isle_network_transmit_bytes_total", "Bytes the running isle sent (loopback aside; not for isles on the host's network).", s => s.NetworkTxBytes);
        Counter(text, running, "islander_isle_block_read_bytes_total", "Bytes the running isle read from block devices.", s => s.BlockReadBytes);
        Counter(text, running, "islander_isle_block_write_bytes_total", "Bytes the running isle wrote to block devices.", s => s.BlockWriteBytes);
    }

    /// <summary>A family with one sample per running isle that has the value (a null is a counter this host cannot read).</summary>
    static void Counter(PrometheusText text, List<(string Name, IsleStats Sample)> running, string name, string help, Func<IsleStats, double?> value, string type = "counter")
    {
        text.Family(name, type, help);
        foreach (var (isle, sample) in running)
            if (value(sample) is { } v) text.Sample(name, v, ("isle", isle));
    }

    static void WriteLoop(PrometheusText text, ReconcileQueue queue, ReconcileMetrics.Snapshot m)
    {
        text.Family("islander_reconcile_duration_seconds", "histogram", "Duration of reconcile passes, per kind of object.");
        foreach (var (kind, h) in m.Durations.OrderBy(p => p.Key))
            text.Histogram("islander_reconcile_duration_seconds", ReconcileMetrics.Buckets, h.Counts, h.Count, h.Sum, ("kind", kind.ToString()));
        text.Family("islander_reconcile_errors_total", "counter", "Reconcile passes that failed and were retried with back-off, per kind of object.");
        foreach (var (kind, n) in m.Errors.OrderBy(p => p.Key)) text.Sample("islander_reconcile_errors_total", n, ("kind", kind.ToString()));
        text.Family("islander_reconcile_queue_depth", "gauge", "Objects waiting for a reconcile worker.");
        text.Sample("islander_reconcile_queue_depth", queue.Depth);
        text.Family("islander_reconcile_passes_in_flight", "gauge", "Reconcile passes running now.");
        text.Sample("islander_reconcile_passes_in_flight", m.InFlight);
        text.Family("islander_reconcile_last_pass_end_timestamp_seconds", "gauge", "When a reconcile pass last ended (Unix time).");
        text.Sample("islander_reconcile_last_pass_end_timestamp_seconds", m.LastFinished.ToUnixTimeMilliseconds() / 1000.0);
    }

    static string Bool(bool value) => value ? "true" : "false";

    /// <summary>The process collector's standard names (client_golang, prometheus-net), so common dashboards fit.</summary>
    static void WriteProcess(PrometheusText text)
    {
        using var self = Process.GetCurrentProcess();
        text.Family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
        text.Sample("process_resident_memory_bytes", self.WorkingSet64);
        text.Family("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.");
        text.Sample("process_cpu_seconds_total", self.TotalProcessorTime.TotalSeconds);
        text.Family("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.");
        text.Sample("process_start_time_seconds", new DateTimeOffset(self.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000.0);
        text.Family("islander_dotnet_gc_heap_bytes", "gauge", "Bytes of the .NET heap in use after the last collection.");
        text.Sample("islander_dotnet_gc_heap_bytes", GC.GetGCMemoryInfo().HeapSizeBytes);
        text.Family("islander_dotnet_runtime_info", "gauge", "The .NET runtime settings islanderd runs with (its memory settings).");
        text.Sample("islander_dotnet_runtime_info", 1, ("gc", RuntimeSettings.Gc), ("gc_concurrent", Bool(RuntimeSettings.GcConcurrent)),
            ("tiered_compilation", Bool(RuntimeSettings.TieredCompilation)), ("write_xor_execute", Bool(RuntimeSettings.WriteXorExecute)));
    }
}
