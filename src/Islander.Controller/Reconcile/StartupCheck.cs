using System.Collections.Concurrent;
using Islander.Controller.Ports;
using Islander.Controller.State;
using Islander.Model;
using Microsoft.Extensions.Logging;

namespace Islander.Controller.Reconcile;

/// <summary>
/// The isles whose records say Running or Paused, checked against the kernel once when islanderd starts, before the
/// API listens (<see cref="Hosting.DaemonHost.Build"/>): the records are what the daemon last saw, and an isle may have
/// died while it was down (a crash, a reboot). The record is left as it is: the isle's first pass observes the end and
/// applies its restart policy, with its event and restart count, as for any exit. Until that pass, the API shows such
/// an isle as <c>Unknown</c> (<see cref="Reasons.EndedWhileDown"/>), never Running with the pid of a process that is gone.
/// </summary>
public sealed class StartupCheck(StateStore store, IIsleRuntime runtime, ILogger<StartupCheck> log)
{
    /// <summary>An isle whose recorded process (its pid, started then) was found ended, and how, when the shim recorded it.</summary>
    public sealed record Ended(int? Pid, DateTimeOffset? StartedAt, IsleExit? Exit);

    readonly ConcurrentDictionary<string, Ended> _ended = new(StringComparer.Ordinal);

    /// <summary>Probes every Running or Paused record (a few file reads each, as a pass's probe); returns how many had ended.</summary>
    public int Run()
    {
        foreach (var r in store.Isles())
        {
            if (r.State is not (IslePhase.Running or IslePhase.Paused))
                continue;
            IsleObservation seen;
            try
            {
                seen = runtime.Probe(r.Name);
            }
            catch (Exception e) when (e is IslanderException or IOException or UnauthorizedAccessException or FormatException)
            {
                // Not known to run: shown Unknown until its pass, which probes again and says why it could not.
                log.LogWarning(e, "Isle {Isle} (pid {Pid}) could not be checked at start", r.Name, r.Pid);
                seen = IsleObservation.NotFound;
            }
            if (seen.State == IsleProcessState.Running && seen.Pid == r.Pid)
                continue;
            _ended[r.Name] = new Ended(r.Pid, r.StartedAt, seen.Exit);
            log.LogInformation("Isle {Isle} (pid {Pid}) ended while islanderd was down: {Exit}; its first pass applies its restart policy",
                r.Name, r.Pid, seen.Exit?.ToString() ?? "no exit status");
        }
        return _ended.Count;
    }

    /// <summary>
    /// How the recorded process of a Running or Paused <paramref name="record"/> ended, while no pass has handled it yet;
    /// null when the record is not that one any more (a pass restarted it, or recorded the exit).
    /// </summary>
    public Ended? Of(IsleRecord record)
    {
        if (!_ended.TryGetValue(record.Name, out var ended))
            return null;
        if (record.State is IslePhase.Running or IslePhase.Paused && record.Pid == ended.Pid && record.StartedAt == ended.StartedAt)
            return ended;
        _ended.TryRemove(KeyValuePair.Create(record.Name, ended));
        return null;
    }

    /// <summary>A pass of the isle finished: it probed the kernel itself, and its record says what is.</summary>
    public void Passed(string name) => _ended.TryRemove(name, out _);
}
