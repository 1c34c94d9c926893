using System.Collections.Concurrent;
using Islander.Controller.Desired;
using Islander.Controller.Events;
using Islander.Controller.Reconcile;
using Islander.Controller.State;
using Islander.Model;
using Islander.Model.Api;
using Microsoft.Extensions.Logging;

namespace Islander.Controller.Health;

/// <summary>
/// Checks every running isle that has a healthcheck, each on its own interval, and keeps what the checks said
/// (<see cref="HealthState"/>, in memory: a check every second must cost no disk write). Transitions are events
/// (Healthy, Unhealthy). An isle that turns unhealthy under restartPolicy Always or OnFailure is restarted by its
/// pass (<see cref="TakeRestart"/>, then <see cref="IsleLifecycles.StopUnhealthyAsync"/>): the monitor only asks, so the
/// pass stays the one writer of the isle's record. Under Never it keeps running, unhealthy.
/// </summary>
/// <remarks>
/// The check is the desired spec's, read at each <see cref="Sync"/> (after every pass of the isle): a healthcheck edit
/// applies to the running isle at once, without a restart (a live field of <see cref="IsleSpecRules"/>), and keeps the
/// health so far. A new run (a different pid) starts again at <c>starting</c>. Checks of one isle never overlap: the
/// next begins an interval after the last began, or when it ended if that is later. After a daemon restart the health
/// of adopted isles is <c>starting</c> until their first check, which runs at once.
/// </remarks>
public sealed class HealthMonitor(
    DesiredStore desired, ReconcileQueue queue, EventRecorder events, HealthProbes probes, TimeProvider time, ILogger<HealthMonitor> log) : IDisposable
{
    readonly ConcurrentDictionary<string, Watch> _watches = new(StringComparer.Ordinal);
    readonly Lock _lock = new();

    /// <summary>One run of one isle under one check.</summary>
    sealed class Watch(int pid, IsleHealthCheck check, DateTimeOffset startedAt, RestartPolicy policy, HealthState state)
    {
        public int Pid { get; } = pid;
        public IsleHealthCheck Check { get; } = check;
        public DateTimeOffset StartedAt { get; } = startedAt;
        public RestartPolicy Policy { get; set; } = policy;
        public HealthState State { get; set; } = state;
        public bool RestartWanted { get; set; }
        public CancellationTokenSource Stop { get; } = new();
    }

    /// <summary>
    /// Starts, changes or ends the checks of <paramref name="name"/> to match its record (running, with a pid) and its
    /// desired healthcheck. Idempotent; called after each of the isle's passes.
    /// </summary>
    /// <param name="name">The isle.</param>
    /// <param name="record">Its record after the pass.</param>
    /// <param name="running">The spec it runs in place of the desired one (the last good generation after a rollback), if so.</param>
    public void Sync(string name, IsleRecord? record, IsleSpec? running = null)
    {
        var check = record is { State: IslePhase.Running, Pid: not null } ? (running ?? desired.Get(ObjectKey.Isle(name))?.Object?.Isle)?.Healthcheck : null;
        lock (_lock)
        {
            _watches.TryGetValue(name, out var current);
            if (check is null)
            {
                if (current is not null && _watches.TryRemove(name, out _)) current.Stop.Cancel();
                return;
            }
            var pid = record!.Pid!.Value;
            if (current is not null && current.Pid == pid && Same(current.Check, check))
            {
                current.Policy = record.RestartPolicy;
                return;
            }
            var state = current is not null && current.Pid == pid ? current.State : HealthState.Initial;
            current?.Stop.Cancel();
            var watch = new Watch(pid, check, record.StartedAt ?? time.GetUtcNow(), record.RestartPolicy, state);
            _watches[name] = watch;
            _ = RunAsync(name, watch);
        }
    }

    /// <summary>The health of the isle's current run (<paramref name="pid"/>), or null when it has no healthcheck.</summary>
    public HealthView? View(string name, int? pid) =>
        _watches.TryGetValue(name, out var w) && w.Pid == pid ? w.State.View() : null;

    /// <summary>Whether the run <paramref name="pid"/> of the isle has passed its last checks (healthy).</summary>
    public bool IsHealthy(string name, int? pid) => View(name, pid)?.Status == HealthView.Healthy;

    /// <summary>
    /// Whether the run <paramref name="pid"/> turned unhealthy and its restart policy wants it restarted; true once per
    /// request (the pass that takes it restarts the isle). The last result's output comes with it, for the exit's message.
    /// </summary>
    public bool TakeRestart(string name, int? pid, out string why)
    {
        why = "";
        lock (_lock)
        {
            if (!_watches.TryGetValue(name, out var w) || w.Pid != pid || !w.RestartWanted)
                return false;
            w.RestartWanted = false;
            why = Failure(w);
            return true;
        }
    }

    async Task RunAsync(string name, Watch watch)
    {
        var token = watch.Stop.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                var began = time.GetUtcNow();
                var result = await probes.RunAsync(name, watch.Check, token).ConfigureAwait(false);
                Apply(name, watch, result);
                var wait = began + watch.Check.Interval - time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                    await Task.Delay(wait, time, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The run ended or the check changed: a newer watch (if any) carries on.
        }
    }

    void Apply(string name, Watch watch, HealthResultView result)
    {
        HealthState before, after;
        lock (_lock)
        {
            if (watch.Stop.IsCancellationRequested)
                return; // superseded while the check ran: its result belongs to no current watch
            before = watch.State;
            after = before.After(result, watch.Check, watch.StartedAt);
            watch.State = after;
            if (after.Status == HealthView.Unhealthy && !result.Passed && watch.Policy != RestartPolicy.Never)
                watch.RestartWanted = true;
        }
        var key = ObjectKey.Isle(name);
        if (after.Status != before.Status && after.Status == HealthView.Healthy)
        {
            log.LogInformation("Isle {Isle} is healthy: {Check}: {Output}", name, watch.Check.Describe(), Short(result.Output));
            events.Record(key, EventType.Normal, "Healthy", $"{watch.Check.Describe()} passed" + (result.Output.Length > 0 ? $": {Short(result.Output)}" : ""));
            foreach (var dependent in desired.Dependents(name)) queue.Add(ObjectKey.Isle(dependent)); // dependsOn condition Healthy
        }
        else if (after.Status != before.Status && after.Status == HealthView.Unhealthy)
        {
            var then = watch.Policy == RestartPolicy.Never ? "left running (restartPolicy Never)" : $"restarting it (restartPolicy {watch.Policy})";
            var message = $"{Failure(watch)}; {then}";
            log.LogWarning("Isle {Isle} is unhealthy: {Message}", name, message);
            events.Record(key, EventType.Warning, "Unhealthy", message);
        }
        if (watch.RestartWanted)
            queue.Add(key);
    }

    /// <summary>"exec [test, -e, /ready] failed 3 times in a row: exit code 1" with the last output.</summary>
    static string Failure(Watch w)
    {
        var last = w.State.Log.Count > 0 ? w.State.Log[^1] : null;
        var said = last is null ? "" : last.ExitCode is { } code && last.Output.Length == 0 ? $": exit code {code}"
            : last.ExitCode is { } c ? $": exit code {c}: {Short(last.Output)}" : $": {Short(last.Output)}";
        return $"{w.Check.Describe()} failed {w.State.FailingStreak} times in a row{said}";
    }

    static string Short(string output)
    {
        var s = output.Trim();
        return s.Length <= 300 ? s : s[..300] + "...";
    }

    static bool Same(IsleHealthCheck a, IsleHealthCheck b) => a.Exec.SequenceEqual(b.Exec) && a with { Exec = b.Exec } == b;

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var w in _watches.Values) w.Stop.Cancel();
            _watches.Clear();
        }
    }
}
