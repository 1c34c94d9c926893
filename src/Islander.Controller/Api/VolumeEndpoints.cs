using System.Text;
using Islander.Controller.Volumes;
using Islander.Model;
using Islander.Model.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

using static Islander.Controller.Api.ApiErrors;

namespace Islander.Controller.Api;

/// <summary>
/// Volume snapshots under <c>/apis/islander.io/v1/volumes/{name}</c>:
/// <list type="bullet">
/// <item><c>POST volumes/{name}/snapshot?snapshot=S</c>: keeps the volume's content as S (201); 501 Unsupported for tmpfs,
/// 409 when S exists.</item>
/// <item><c>POST volumes/{name}/restore?snapshot=S</c>: stops the running isles that use the volume, replaces its content
/// with S's and lets them start again by their restartPolicy; answers a Status whose <c>isles</c> lists the isles
/// restarted (restartPolicy Always), the message says what happens to the others.</item>
/// </list>
/// A daemon without volume drivers answers 501.
/// </summary>
public static class VolumeEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        const string volumes = ApiEndpoints.Prefix + "/volumes/{name}";
        app.MapPost(volumes + "/snapshot", Snapshot);
        app.MapPost(volumes + "/restore", RestoreAsync);
    }

    static IResult Snapshot(string name, HttpContext context, VolumeSnapshots snapshots)
    {
        if (SnapshotName(context) is not { } snapshot) return MissingSnapshot();
        try
        {
            snapshots.Snapshot(name, snapshot);
            return Success($"volume {name}: snapshot {snapshot} taken", [], 201);
        }
        catch (IslanderException e) { return Error(e); }
    }

    static async Task<IResult> RestoreAsync(string name, HttpContext context, VolumeSnapshots snapshots)
    {
        if (SnapshotName(context) is not { } snapshot) return MissingSnapshot();
        try
        {
            var result = await snapshots.RestoreAsync(name, snapshot, context.RequestAborted);
            var message = $"volume {name} restored from snapshot {snapshot}" + (result.Note.Length > 0 ? "; " + result.Note : "");
            return Success(message, result.Restarted, 200);
        }
        catch (IslanderException e) { return Error(e); }
    }

    static string? SnapshotName(HttpContext context) => context.Request.Query["snapshot"].FirstOrDefault() is { Length: > 0 } s ? s : null;

    static IResult Success(string message, IReadOnlyList<string> isles, int code) => Json(StatusView.Success(message, [.. isles]), ApiJson.Context.StatusView, code);

    static IResult MissingSnapshot() => Error(422, Reasons.InvalidManifest, "name the snapshot: ?snapshot=NAME");
}
