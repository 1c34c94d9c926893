using System.Text;
using System.Text.Json;
using Islander.Controller.Desired;
using Islander.Controller.Ports;
using Islander.Controller.State;
using Islander.Model;
using Islander.Model.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

using static Islander.Controller.Api.ApiErrors;

namespace Islander.Controller.Api;

/// <summary>
/// Docker's archive endpoints, for <c>islanderctl cp</c>: <c>HEAD isles/{name}/archive?path=P</c> (what is there, in the
/// <c>X-Islander-Path-Stat</c> header), <c>GET</c> (a tar stream of P: a file, a link, or a directory and all below it)
/// and <c>PUT ...?path=DIR[&amp;copyUIDGID=true]</c> (a tar body unpacked into the directory DIR). Paths are resolved inside the
/// isle's root only (<see cref="IIsleFiles"/>). 404 no such isle or path ("Could not find the file P in isle NAME", as
/// Docker says it), 409 the isle does not run (its root filesystem exists only while it runs), 422 a refused tar entry.
/// </summary>
public static class ArchiveEndpoints
{
    public const string StatHeader = "X-Islander-Path-Stat";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapMethods(ApiEndpoints.Prefix + "/isles/{name}/archive", ["HEAD"], HeadAsync);
        app.MapGet(ApiEndpoints.Prefix + "/isles/{name}/archive", GetAsync);
        app.MapPut(ApiEndpoints.Prefix + "/isles/{name}/archive", PutAsync);
    }

    /// <summary>The isle's files port, or the Status that says why there is none to use (404, 409, 400, 501).</summary>
    static (IIsleFiles? Files, string Path, IResult? Problem) Check(string name, HttpContext context, DesiredStore desired, StateStore store)
    {
        var record = store.GetIsle(name);
        if (desired.Get(ObjectKey.Isle(name)) is null && record is null)
            return (null, "", NotFound(ObjectKey.Isle(name)));
        if (context.Request.Query["path"].FirstOrDefault() is not { Length: > 0 } path)
            return (null, "", Error(400, "BadRequest", "path is required: ?path=/etc/hosts"));
        if (context.RequestServices.GetService<IIsleFiles>() is not { } files)
            return (null, path, Error(501, "Unsupported", "this islanderd cannot copy files"));
        if (record?.State != IslePhase.Running)
            return (null, path, NotRunning(name, record, "cp"));
        return (files, path, null);
    }

    static async Task HeadAsync(string name, HttpContext context, DesiredStore desired, StateStore store)
    {
        var (files, path, problem) = Check(name, context, desired, store);
        if (files is null)
        {
            await problem!.ExecuteAsync(context);
            return;
        }
        try
        {
            if (!WriteStat(context, files, name, path))
                context.Response.StatusCode = 404;
        }
        catch (IslanderException e)
        {
            context.Response.StatusCode = StatusCode(e.Category);
        }
    }

    /// <summary>Sets the stat header; false when nothing is at the path.</summary>
    static bool WriteStat(HttpContext context, IIsleFiles files, string name, string path)
    {
        if (files.Stat(name, path) is not { } st)
            return false;
        var view = new PathStatView(Path.GetFileName(path.TrimEnd('/')), st.Size, (int)st.Mode, st.Kind.ToString());
        context.Response.Headers[StatHeader] = Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(view, ApiJson.Context.PathStatView)));
        return true;
    }

    static async Task GetAsync(string name, HttpContext context, DesiredStore desired, StateStore store)
    {
        var (files, path, problem) = Check(name, context, desired, store);
        if (files is null)
        {
            await problem!.ExecuteAsync(context);
            return;
        }
        try
        {
            if (!WriteStat(context, files, name, path))
            {
                await Error(404, "NotFound", $"Could not find the file {path} in isle {name}").ExecuteAsync(context);
                return;
            }
        }
        catch (IslanderException e)
        {
            await Error(e).ExecuteAsync(context);
            return;
        }
        context.Response.ContentType = "application/x-tar";
        try
        {
            await files.ArchiveAsync(name, path, context.Response.Body, context.RequestAborted);
        }
        catch (IslanderException) when (context.Response.HasStarted)
        {
            context.Abort(); // half a tar: the client must see a broken stream, not a short archive
        }
    }

    static async Task PutAsync(string name, HttpContext context, DesiredStore desired, StateStore store)
    {
        var (files, path, problem) = Check(name, context, desired, store);
        if (files is null)
        {
            await problem!.ExecuteAsync(context);
            return;
        }
        bool keepOwners = context.Request.Query["copyUIDGID"].FirstOrDefault() is "true" or "1";
        IResult result;
        try
        {
            int count = await files.ExtractAsync(name, path, context.Request.Body, keepOwners, context.RequestAborted);
            result = Json(new StatusView(ApiJson.ApiVersion, "Status", "Success", Message: $"{count} entries written to {path} in isle {name}", Code: 200),
                ApiJson.Context.StatusView);
        }
        catch (IslanderException e)
        {
            result = Error(e);
        }
        catch (InvalidDataException e)
        {
            result = Error(400, "BadRequest", $"the body is not a tar stream: {e.Message}");
        }
        await result.ExecuteAsync(context);
    }
}
