using Islander.Model;
using System.Text.Json.Nodes;
using Islander.Controller.Desired;
using Islander.Controller.State;

namespace Islander.Controller.Api;

/// <summary>
/// Objects as the API returns them, Kubernetes-style: apiVersion, kind, metadata, spec, status (docs/architecture.md, "The API and its objects").
/// Built as JSON trees by hand, so the wire format is written down here and nowhere else.
/// </summary>
public static class ObjectViews
{
    public const string ApiVersion = "islander.io/v1";

    public static JsonObject Object(DesiredEntry? entry, IsleRecord? record, ObjectKey key, NetworkRecord? network = null, VolumeRecord? volume = null)
    {
        var metadata = new JsonObject { ["name"] = key.Name };
        if (entry is not null)
        {
            metadata["generation"] = entry.Generation;
            metadata["creationTimestamp"] = entry.CreatedAt;
            metadata["managedBy"] = entry.FromApi ? "api" : "manifest";
            if (entry.Object is { } obj)
            {
                metadata["source"] = obj.Source;
                if (obj.Labels.Count > 0) metadata["labels"] = new JsonObject(obj.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value)));
            }
        }
        return new JsonObject
        {
            ["apiVersion"] = ApiVersion,
            ["kind"] = key.Kind.ToString(),
            ["metadata"] = metadata,
            ["spec"] = entry?.Object?.Spec.DeepClone() ?? new JsonObject(),
            ["status"] = key.Kind == ObjectKind.Isle ? IsleStatus(entry, record) : network is not null ? NetworkStatus(entry, network)
                : volume is not null ? VolumeStatus(entry, volume) : OtherStatus(entry),
        };
    }

    static JsonObject IsleStatus(DesiredEntry? entry, IsleRecord? r)
    {
        var status = new JsonObject();
        if (r is not null)
        {
            status["phase"] = r.State.ToString();
            status["observedGeneration"] = r.Generation;
            if (r.Pid is { } pid) status["pid"] = pid;
            if (r.ExitCode is { } code) status["exitCode"] = code;
            if (r.ExitSignal is { } signal) status["exitSignal"] = signal;
            if (r.Reason is { } reason) status["reason"] = reason;
            if (r.Message is { } message) status["message"] = message;
            status["restartCount"] = r.RestartCount;
            if (r.StartedAt is { } started) status["startedAt"] = started;
            if (r.FinishedAt is { } finished) status["finishedAt"] = finished;
            if (r.NextStartAt is { } next) status["nextStartAt"] = next;
            status["addresses"] = new JsonObject(r.Addresses.Select(a => KeyValuePair.Create(a.Key, (JsonNode?)a.Value)));
        }
        else
            status["phase"] = entry?.Object is null ? "Error" : "Pending";
        AddProblems(status, entry);
        return status;
    }

    static JsonObject NetworkStatus(DesiredEntry? entry, NetworkRecord n)
    {
        var status = new JsonObject
        {
            ["phase"] = n.Ready ? "Ready" : "Pending",
            ["bridge"] = n.Bridge,
            ["subnet"] = n.Subnet,
            ["gateway"] = n.Gateway,
            ["isles"] = n.Allocations.Count,
        };
        if (n.Reason is { } reason) status["reason"] = reason;
        if (n.Message is { } message) status["message"] = message;
        AddProblems(status, entry);
        return status;
    }

    /// <summary>phase, driver, path, sizeLimit and bytesUsed (as the driver last reported them), snapshots, usedBy (the isles that mount it).</summary>
    static JsonObject VolumeStatus(DesiredEntry? entry, VolumeRecord v)
    {
        var status = new JsonObject { ["phase"] = v.Phase.ToString(), ["driver"] = v.Driver.ToString().ToLowerInvariant() };
        if (v.Path is { } path) status["path"] = path;
        if (v.SizeLimit is { } limit) status["sizeLimit"] = limit;
        if (v.BytesUsed is { } used) status["bytesUsed"] = used;
        status["snapshots"] = new JsonArray(v.Snapshots.Select(s => (JsonNode?)s).ToArray());
        status["usedBy"] = new JsonArray(v.Users.Order(StringComparer.Ordinal).Select(u => (JsonNode?)u).ToArray());
        if (v.Reason is { } reason) status["reason"] = reason;
        if (v.Message is { } message) status["message"] = message;
        AddProblems(status, entry);
        return status;
    }

    static JsonObject OtherStatus(DesiredEntry? entry)
    {
        // Not reconciled yet (a new object before its first pass), or a daemon without that kind's driver.
        var status = new JsonObject { ["phase"] = entry?.Object is null ? "Error" : "Pending" };
        AddProblems(status, entry);
        return status;
    }

    static void AddProblems(JsonObject status, DesiredEntry? entry)
    {
        if (entry is not { Problems.Count: > 0 }) return;
        status["reason"] = entry.Problems[0].StartsWith(ManifestFiles.UnavailablePrefix, StringComparison.Ordinal) ? ManifestFiles.UnavailableReason : "InvalidManifest";
        status["message"] = string.Join("; ", entry.Problems) + (entry.Object is null ? "" : $" (the last good version, generation {entry.Generation}, stays)");
        status["problems"] = new JsonArray(entry.Problems.Select(p => (JsonNode?)p).ToArray());
    }

    public static JsonObject List(ObjectKind kind, IEnumerable<JsonObject> items) => new()
    {
        ["apiVersion"] = ApiVersion,
        ["kind"] = kind + "List",
        ["items"] = new JsonArray(items.Cast<JsonNode?>().ToArray()),
    };

    public static JsonObject Event(EventRecord e) => new()
    {
        ["id"] = e.Id,
        ["time"] = e.Time,
        ["type"] = e.Type.ToString(),
        ["kind"] = e.Kind,
        ["name"] = e.Name,
        ["reason"] = e.Reason,
        ["message"] = e.Message,
    };

    /// <summary>Kubernetes' Status object for errors: <c>{"kind":"Status","reason":"NotFound","message":...,"code":404}</c>.</summary>
    public static JsonObject Error(string reason, string message, int code, JsonArray? details = null)
    {
        var o = new JsonObject { ["apiVersion"] = ApiVersion, ["kind"] = "Status", ["status"] = "Failure", ["reason"] = reason, ["message"] = message, ["code"] = code };
        if (details is not null) o["details"] = details;
        return o;
    }
}
