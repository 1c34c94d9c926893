using System.Globalization;
using Islander.Controller.Desired;
using Islander.Controller.Ports;
using Islander.Controller.Reconcile;
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
/// The lifecycle verbs (<see cref="IsleVerbs"/>), Docker's container verbs on Kubernetes-style paths:
/// <list type="bullet">
/// <item><c>POST isles/{name}/stop?timeout=SECONDS</c>, <c>start</c>, <c>restart?timeout=SECONDS</c>,
/// <c>kill?signal=SIGNAL</c> (a name, SIGTERM or TERM, or a number; SIGKILL by default, as docker kill),
/// <c>pause</c>, <c>unpause</c>: the isle as it is afterwards (an Isle object).</item>
/// <item><c>GET isles/{name}/top</c>: its processes (an IsleProcessList).</item>
/// </list>
/// 404 for an isle no object defines, 409 for a verb its phase does not allow, 400 for a bad parameter; none of them
/// changes anything. The ports an isle publishes are in its object's <c>status.ports</c>.
/// </summary>
public static class LifecycleEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        string isle = ApiEndpoints.Prefix + "/isles/{name}/";
        app.MapPost(isle + "stop", (string name, HttpContext c) => WithTimeout(c, (verbs, t) => verbs.StopAsync(name, t, c.RequestAborted)));
        app.MapPost(isle + "restart", (string name, HttpContext c) => WithTimeout(c, (verbs, t) => verbs.RestartAsync(name, t, c.RequestAborted)));
        app.MapPost(isle + "start", (string name, HttpContext c) => RunAsync(c, verbs => verbs.StartAsync(name, c.RequestAborted)));
        app.MapPost(isle + "pause", (string name, HttpContext c) => RunAsync(c, verbs => verbs.PauseAsync(name, c.RequestAborted)));
        app.MapPost(isle + "unpause", (string name, HttpContext c) => RunAsync(c, verbs => verbs.UnpauseAsync(name, c.RequestAborted)));
        app.MapPost(isle + "kill", KillAsync);
        app.MapGet(isle + "top", Top);
    }

    static Task<IResult> KillAsync(string name, HttpContext context)
    {
        int signal = 9;
        if (context.Request.Query["signal"].FirstOrDefault() is { Length: > 0 } text && !Signals.TryParse(text, out signal))
            return Task.FromResult(Error(400, "BadRequest",
                $"unknown signal \"{ManifestLimits.Excerpt(text, 40)}\": {Signals.Forms}; the names are {string.Join(", ", Signals.Known)}"));
        return RunAsync(context, verbs => verbs.KillAsync(name, signal, context.RequestAborted));
    }

    static IResult Top(string name, HttpContext context, DesiredStore desired, StateStore store)
    {
        if (context.RequestServices.GetService<IIsleStats>() is not { } stats)
            return Error(501, "Unsupported", "this islanderd cannot read processes");
        var record = store.GetIsle(name);
        if (record is null && desired.Get(ObjectKey.Isle(name)) is null)
            return NotFound(ObjectKey.Isle(name));
        var processes = record?.State is IslePhase.Running or IslePhase.Paused ? stats.Processes(name) : [];
        if (processes.Count == 0)
            return Error(409, "Conflict", $"isle \"{name}\" is not running (phase {record?.State.ToString() ?? "Pending"})");
        return Json(new IsleProcessListView(ApiJson.ApiVersion, IsleProcessListView.KindName, name, processes), ApiJson.Context.IsleProcessListView);
    }

    static Task<IResult> WithTimeout(HttpContext context, Func<IsleVerbs, TimeSpan?, Task<IsleRecord>> verb)
    {
        TimeSpan? timeout = null;
        if (context.Request.Query["timeout"].FirstOrDefault() is { Length: > 0 } text)
        {
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int seconds))
                return Task.FromResult(Error(400, "BadRequest", $"timeout must be a whole number of seconds (0 or more), not \"{ManifestLimits.Excerpt(text, 40)}\""));
            timeout = TimeSpan.FromSeconds(seconds);
        }
        return RunAsync(context, verbs => verb(verbs, timeout));
    }

    static async Task<IResult> RunAsync(HttpContext context, Func<IsleVerbs, Task<IsleRecord>> verb)
    {
        var verbs = context.RequestServices.GetRequiredService<IsleVerbs>();
        try
        {
            var record = await verb(verbs);
            var desired = context.RequestServices.GetRequiredService<DesiredStore>();
            var key = ObjectKey.Isle(record.Name);
            return Json(ObjectViews.Object(desired.Get(key), record, key), ApiJson.Context.ObjectView);
        }
        catch (IslanderException e)
        {
            return Error(e);
        }
    }
}
