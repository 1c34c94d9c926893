using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Islander.Controller.Desired;
using Islander.Controller.Events;
using Islander.Controller.State;
using Islander.Controller.Volumes;
using Islander.Model;
using Microsoft.Extensions.Logging;

namespace Islander.Controller.Rollout;

/// <summary>
/// Isles' revisions (<c>islanderctl rollout history</c>) and what a health-gated rollout keeps (<c>spec.update</c>): the
/// last good spec it replaces, the volume snapshots taken just before it, and, once rolled back, the pin that runs the
/// last good spec in place of the desired one until the manifest changes. Persisted (LiteDB), so a daemon restart
/// neither forgets a rollout in progress nor retries a rolled-back generation. The isle's pass decides when
/// (<see cref="Reconcile.IsleReconciler"/>); this keeps the records and the snapshots.
/// </summary>
public sealed class IsleRollouts(StateStore store, VolumeSnapshots snapshots, EventRecorder events, TimeProvider time, ILogger<IsleRollouts> log)
{
    /// <summary>Revisions kept per isle (Kubernetes' revisionHistoryLimit default).</summary>
    public const int HistoryLimit = 10;

    public IReadOnlyList<RolloutRecord> History(string isle) => store.Rollouts(isle);

    public RolloutRecord? Latest(string isle) => store.LatestRollout(isle);

    /// <summary>The isle's gated rollout that waits for the new generation to become healthy, if any.</summary>
    public RolloutRecord? Progressing(string isle) => Latest(isle) is { Result: RolloutResult.Progressing } r ? r : null;

    /// <summary>
    /// The last good spec to run in place of the desired one: the isle's latest revision is this very desired generation,
    /// rolled back. Null once the manifest changes (a new generation), which is then rolled out as any edit.
    /// </summary>
    public RolloutPin? PinOf(string isle, long generation, string specHash) =>
        Latest(isle) is { Result: RolloutResult.RolledBack, PreviousSpecJson: { } json, PreviousSpecHash: { } hash } r
            && r.Generation == generation && r.SpecHash == specHash
            ? new RolloutPin(SpecJson.ToIsle(JsonNode.Parse(json)!.AsObject()), hash, r.PreviousGeneration, r)
            : null;

    /// <summary>
    /// A spec the isle now runs with no health gate (created, an edit of an isle without <c>update</c>, an in-place
    /// update): a Complete revision, once per generation and spec. Returns its write (one commit, with the old revisions
    /// it pushes out), for the caller to make alone or inside the commit it goes with; null when the history has it.
    /// </summary>
    public Action? Applied(string isle, IsleSpec spec, string specHash, long generation, string how)
    {
        var history = store.Rollouts(isle);
        if (history.Count > 0 && history[^1].SpecHash == specHash && history[^1].Generation == generation)
            return null;
        var cause = history.Count == 0 ? "created" : Cause(history[^1].SpecJson, spec);
        var now = time.GetUtcNow();
        var record = new RolloutRecord
        {
            Isle = isle, Generation = generation, SpecJson = SpecJson.FromIsle(spec).ToJsonString(), SpecHash = specHash,
            ChangeCause = how.Length == 0 ? cause : $"{cause} ({how})", StartedAt = now, FinishedAt = now, Result = RolloutResult.Complete,
        };
        return () => Add(history, record);
    }

    /// <summary>
    /// A gated rollout of <paramref name="spec"/> begins: it must be healthy within healthTimeout of its first start
    /// (<see cref="Starting"/>; until then the deadline counts from now, for a generation that never starts), or
    /// <paramref name="lastGood"/> runs again. A rollout it supersedes hands over its last good spec and snapshots.
    /// </summary>
    public RolloutRecord Begin(string isle, IsleSpec spec, string specHash, long generation, LastGood lastGood)
    {
        var history = store.Rollouts(isle);
        var now = time.GetUtcNow();
        var record = new RolloutRecord
        {
            Isle = isle, Generation = generation, SpecJson = SpecJson.FromIsle(spec).ToJsonString(), SpecHash = specHash,
            ChangeCause = Cause(SpecJson.FromIsle(lastGood.Spec).ToJsonString(), spec), StartedAt = now,
            Deadline = now + (spec.Update ?? new IsleUpdate()).HealthTimeout, Result = RolloutResult.Progressing,
            PreviousSpecJson = SpecJson.FromIsle(lastGood.Spec).ToJsonString(), PreviousSpecHash = lastGood.SpecHash,
            PreviousGeneration = lastGood.Generation, PreviousRevision = lastGood.Revision,
            Snapshots = new Dictionary<string, string>(lastGood.Snapshots),
        };
        if (lastGood.Snapshots.Count > 0 && history.Count > 0 && history[^1] is { Result: RolloutResult.Superseded } superseded)
        {
            superseded.Snapshots.Clear(); // handed over to this rollout
            store.SaveRollout(superseded);
        }
        Add(history, record);
        return record;
    }

    /// <summary>
    /// The last good generation a gated rollout of the isle would replace: the one a rollout in progress (now superseded)
    /// replaced, while the isle still runs that rollout's spec; else the running spec, while it runs. Null: nothing
    /// known to be good, so there is nothing to roll back to and the edit is applied ungated.
    /// </summary>
    public LastGood? LastGoodOf(IsleRecord record, IsleSpec? running)
    {
        var latest = Latest(record.Name);
        if (latest is { Result: RolloutResult.Superseded, PreviousSpecJson: { } json, PreviousSpecHash: { } hash } && latest.SpecHash == record.SpecHash)
            return new LastGood(SpecJson.ToIsle(JsonNode.Parse(json)!.AsObject()), hash, latest.PreviousGeneration, latest.PreviousRevision, latest.Snapshots);
        if (running is null || record.SpecHash is null || record.State is not (IslePhase.Running or IslePhase.Paused))
            return null;
        var revision = latest is not null && latest.SpecHash == record.SpecHash && latest.Result == RolloutResult.Complete ? latest.Revision
            : store.Rollouts(record.Name).LastOrDefault(r => r.SpecHash == record.SpecHash)?.Revision ?? 0;
        return new LastGood(running, record.SpecHash, record.Generation, revision, new Dictionary<string, string>());
    }

    /// <summary>
    /// Snapshots every named volume of the last good spec and <paramref name="spec"/> that the rollout has none of yet, just before its new
    /// generation starts (the old one is stopped, so the data is at rest). A volume that cannot be snapshotted (tmpfs, not
    /// made yet) is named in a warning event and left out: a rollback then leaves its data as the new generation left it.
    /// </summary>
    public void TakeSnapshots(RolloutRecord rollout, IsleSpec spec)
    {
        IsleSpec[] specs = rollout.PreviousSpecJson is { } json ? [SpecJson.ToIsle(JsonNode.Parse(json)!.AsObject()), spec] : [spec];
        foreach (var volume in specs.SelectMany(s => s.Volumes).Select(v => v.Name).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            if (rollout.Snapshots.ContainsKey(volume)) continue;
            var snapshot = SnapshotName(rollout);
            try
            {
                if (!snapshots.SnapshotsOf(volume).Contains(snapshot)) // taken already by a pass a daemon crash cut short
                    snapshots.Snapshot(volume, snapshot);
                rollout.Snapshots[volume] = snapshot;
                store.SaveRollout(rollout);
            }
            catch (IslanderException e)
            {
                log.LogWarning("Isle {Isle}: volume {Volume} not snapshotted before revision {Revision}: {Message}", rollout.Isle, volume, rollout.Revision, e.Message);
                events.Record(ObjectKey.Isle(rollout.Isle), EventType.Warning, "SnapshotFailed",
                    $"volume {volume} not snapshotted before revision {rollout.Revision}: {e.Message}; a rollback leaves its data as the new generation leaves it");
            }
        }
    }

    /// <summary>Puts the rollout's snapshots back (the isles that use the volumes are stopped for it) and deletes them. Returns what failed, if anything.</summary>
    public async Task<string?> RestoreAsync(RolloutRecord rollout, CancellationToken cancellationToken)
    {
        var failed = new List<string>();
        foreach (var (volume, snapshot) in rollout.Snapshots)
        {
            try
            {
                await snapshots.RestoreAsync(volume, snapshot, cancellationToken);
            }
            catch (IslanderException e)
            {
                log.LogError("Isle {Isle}: volume {Volume} not restored from snapshot {Snapshot}: {Message}", rollout.Isle, volume, snapshot, e.Message);
                failed.Add($"volume {volume} not restored from {snapshot}: {e.Message}");
                continue; // its snapshot stays, for a restore by hand
            }
            Drop(volume, snapshot);
        }
        rollout.Snapshots.Clear();
        store.SaveRollout(rollout);
        return failed.Count == 0 ? null : string.Join("; ", failed);
    }

    /// <summary>Ends a rollout: Complete, Failed, RolledBack or Superseded, with why. Snapshots go unless a later rollout takes them over.</summary>
    public void Finish(RolloutRecord rollout, string result, string? reason = null, string? message = null, bool keepSnapshots = false)
    {
        rollout.Result = result;
        rollout.Reason = reason;
        rollout.Message = message;
        rollout.FinishedAt = time.GetUtcNow();
        if (!keepSnapshots)
        {
            foreach (var (volume, snapshot) in rollout.Snapshots) Drop(volume, snapshot);
            rollout.Snapshots.Clear();
        }
        store.SaveRollout(rollout);
    }

    /// <summary>
    /// The new generation's first start: the health budget begins now, so the old generation's stop (up to its
    /// stopTimeout) and the snapshots (a dir volume is copied) do not eat into it. <see cref="RolloutRecord.StartedAt"/> is
    /// this start.
    /// </summary>
    public void Starting(RolloutRecord rollout, IsleSpec spec)
    {
        rollout.StartedAt = time.GetUtcNow();
        rollout.Deadline = rollout.StartedAt + (spec.Update ?? new IsleUpdate()).HealthTimeout;
        store.SaveRollout(rollout);
    }

    /// <summary>The rollout goes on under a new generation that changed only live fields (its deadline follows a new healthTimeout).</summary>
    public void CarryOver(RolloutRecord rollout, IsleSpec spec, string specHash, long generation)
    {
        rollout.Generation = generation;
        rollout.SpecHash = specHash;
        rollout.SpecJson = SpecJson.FromIsle(spec).ToJsonString();
        rollout.Deadline = rollout.StartedAt + (spec.Update ?? new IsleUpdate()).HealthTimeout;
        store.SaveRollout(rollout);
    }

    /// <summary>
    /// The isle is gone: drops any snapshot a rollout still holds now, and returns the deletion of its history for the
    /// caller to run in the commit that deletes the isle's record (each commit syncs LiteDB's log).
    /// </summary>
    public Action Forget(string isle)
    {
        var history = store.Rollouts(isle);
        foreach (var r in history)
            foreach (var (volume, snapshot) in r.Snapshots) Drop(volume, snapshot);
        return () =>
        {
            foreach (var r in history) store.DeleteRollout(r.Id);
        };
    }

    void Drop(string volume, string snapshot)
    {
        try
        {
            snapshots.DeleteSnapshot(volume, snapshot);
        }
        catch (IslanderException e)
        {
            log.LogWarning("Volume {Volume}: rollout snapshot {Snapshot} not deleted: {Message}", volume, snapshot, e.Message);
        }
    }

    void Add(IReadOnlyList<RolloutRecord> history, RolloutRecord record)
    {
        record.Revision = (history.Count == 0 ? 0 : history[^1].Revision) + 1;
        record.Id = $"{record.Isle}/{record.Revision}";
        // One commit for the new revision and the old ones it pushes out: each commit syncs LiteDB's log to disk.
        store.Batch(() =>
        {
            store.SaveRollout(record);
            // Older revisions beyond the limit go, but never one whose spec a rollback or undo may still need: the last good.
            foreach (var old in history.Take(Math.Max(0, history.Count + 1 - HistoryLimit)))
                if (old.Revision != record.PreviousRevision && old.Snapshots.Count == 0)
                    store.DeleteRollout(old.Id);
        });
    }

    /// <summary>The fields that changed, as <c>islanderctl diff</c> names them.</summary>
    static string Cause(string beforeJson, IsleSpec after)
    {
        var before = SpecJson.ToIsle(JsonNode.Parse(beforeJson)!.AsObject());
        var changes = IsleSpecRules.Changes(before, after);
        return changes.Count == 0 ? "no field changed" : string.Join(", ", changes.Select(c => c.Field));
    }

    /// <summary>A snapshot name (a DNS label) that says whose it is: ISLE-rN, or a hash of a long isle name.</summary>
    static string SnapshotName(RolloutRecord rollout)
    {
        var name = $"{rollout.Isle}-r{rollout.Revision}";
        return name.Length <= 63 ? name
            : $"rollout-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(rollout.Isle)))[..16]}-r{rollout.Revision}";
    }
}

/// <summary>The last good spec a rolled-back generation is replaced with, until the manifest changes.</summary>
public sealed record RolloutPin(IsleSpec Spec, string SpecHash, long Generation, RolloutRecord RolledBack);

/// <summary>What a gated rollout replaces and a rollback brings back.</summary>
public sealed record LastGood(IsleSpec Spec, string SpecHash, long Generation, int Revision, IReadOnlyDictionary<string, string> Snapshots);
