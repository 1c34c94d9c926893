using Islander.Controller.Desired;
using Islander.Controller.Sources;
using Islander.Model;
using Islander.Model.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

using static Islander.Controller.Api.ApiErrors;

namespace Islander.Controller.Api;

/// <summary>
/// <c>POST sources/{name}/fetch</c>: the webhook. The source is fetched (and its new revision applied) at once rather
/// than at its next interval; 202 with a Status, 404 for a source no object defines. Whatever body a git server's
/// push hook sends is not read: the fetch asks the repository itself what changed, so a forged body changes nothing.
/// A git server on this host calls it from its post-receive hook over the socket
/// (<c>curl -s --unix-socket /run/islander/islander.sock -X POST http://islanderd/apis/islander.io/v1/sources/NAME/fetch</c>).
/// </summary>
public static class SourceEndpoints
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapPost(ApiEndpoints.Prefix + "/sources/{name}/fetch", (string name, DesiredStore desired, SourceFetches fetches) =>
        {
            var key = SourceReconciler.Key(name);
            if (desired.Get(key)?.Object is null) return NotFound(key);
            fetches.Request(name);
            return Json(StatusView.Success($"source/{name}: fetch queued"), ApiJson.Context.StatusView, 202);
        });
}
