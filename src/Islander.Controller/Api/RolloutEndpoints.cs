using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Islander.Controller.Desired;
using Islander.Controller.Rollout;
using Islander.Controller.State;
using Islander.Model;
using Islander.Model.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

using static Islander.Controller.Api.ApiErrors;

namespace Islander.Controller.Api;

/// <summary>
/// An isle's revisions (<c>islanderctl rollout history|undo</c>):
/// <list type="bullet">
/// <item><c>GET isles/{name}/rollouts</c>: a RolloutList, oldest first.</item>
/// <item><c>POST isles/{name}/rollouts/undo?toRevision=N</c>: applies revision N's spec (by default the last Complete
/// revision whose spec is not the desired one) as a new generation of an isle applied through the API, rolled out as any
/// edit; answers a Status. An isle from a manifest file (or a source) is a 409 that says what to do: islanderd does
/// not edit the files it reads, and an edit through the API would be undone at the next scan.</item>
/// </list>
/// </summary>
public static class RolloutEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        string isle = ApiEndpoints.Prefix + "/isles/{name}/rollouts";
        app.MapGet(isle, History);
        app.MapPost(isle + "/undo", Undo);
    }

    static IResult History(string name, DesiredStore desired, StateStore store, IsleRollouts rollouts)
    {
        var history = rollouts.History(name);
        if (history.Count == 0 && desired.Get(ObjectKey.Isle(name)) is null && store.GetIsle(name) is null)
            return NotFound(ObjectKey.Isle(name));
        var running = store.GetIsle(name)?.SpecHash;
        var current = history.LastOrDefault(r => r.SpecHash == running && r.Result is not (RolloutResult.RolledBack or RolloutResult.Superseded))?.Revision;
        var items = history.Select(r => new RolloutView(r.Revision, r.Generation, r.StartedAt, r.FinishedAt, r.Result, r.Reason, r.Message,
            r.ChangeCause, r.Revision == current, JsonDocument.Parse(r.SpecJson).RootElement.Clone())).ToList();
        return Json(new RolloutListView(ApiJson.ApiVersion, RolloutListView.KindName, name, items), ApiJson.Context.RolloutListView);
    }

    static IResult Undo(string name, HttpContext context, DesiredStore desired, IsleRollouts rollouts)
    {
        var key = ObjectKey.Isle(name);
        if (desired.Get(key) is not { Object: { Isle: not null } obj } entry)
            return NotFound(key);
        var history = rollouts.History(name);
        RolloutRecord? target;
        if (context.Request.Query["toRevision"].FirstOrDefault() is { Length: > 0 } text)
        {
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var revision) || revision < 1)
                return Error(400, "BadRequest", $"toRevision \"{ManifestLimits.Excerpt(text, 20)}\" is not a revision; give a number from islanderctl rollout history {name}");
            target = history.FirstOrDefault(r => r.Revision == revision);
            if (target is null)
                return Error(404, "NotFound", $"isle {name} has no revision {revision}; its revisions: {string.Join(", ", history.Select(r => r.Revision))}");
        }
        else
        {
            target = history.LastOrDefault(r => r.Result == RolloutResult.Complete && r.SpecHash != obj.SpecHash);
            if (target is null)
                return Error(409, "Conflict", $"isle {name} has no earlier good revision to go back to (islanderctl rollout history {name})");
        }
        if (!entry.FromApi)
            return Error(409, "Conflict",
                $"isle {name} comes from {obj.Source}; islanderd does not edit the manifests it reads: put revision {target.Revision}'s spec back in that file " +
                $"(or revert the commit in its repository); islanderctl rollout history {name} --revision {target.Revision} prints it");
        var spec = SpecJson.ToIsle(JsonNode.Parse(target.SpecJson)!.AsObject());
        try
        {
            var outcome = desired.Apply(new DesiredObject(key, obj.Labels, SpecJson.FromIsle(spec), spec, $"rollout undo to revision {target.Revision}"));
            if (outcome == ApplyOutcome.Unchanged)
                return Json(StatusView.Success($"isle {name} already has the spec of revision {target.Revision}"), ApiJson.Context.StatusView);
        }
        catch (IslanderException e) { return Error(e); }
        var generation = desired.Get(key)?.Generation;
        return Json(StatusView.Success($"isle {name} rolled back to revision {target.Revision}: its spec applied as generation {generation}"), ApiJson.Context.StatusView);
    }
}
