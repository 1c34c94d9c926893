using System.Text;
using System.Text.Json;
using Islander.Controller.Desired;
using Islander.Controller.Hosting;
using Islander.Controller.Events;
using Islander.Controller.Reconcile;
using Islander.Controller.Ports;
using Islander.Controller.State;
using Islander.Model;
using Islander.Model.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

using static Islander.Controller.Api.ApiErrors;

namespace Islander.Controller.Api;

/// <summary>
/// The HTTP API, Kubernetes-style paths under <c>/apis/islander.io/v1</c>. Handlers only read state and change
/// the desired state; the reconciler does the rest. Errors are Status objects with a code from <see cref="ApiErrors"/>.
/// </summary>
public static class ApiEndpoints
{
    public const string Prefix = "/apis/islander.io/v1";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/version", () => Json(new VersionView(ApiJson.ApiVersion, VersionView.KindName, DaemonVersion.Current,
            System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription), ApiJson.Context.VersionView));
        app.MapGet(Prefix + "/events", EventsAsync);
        app.MapGet(Prefix + "/isles/{name}/log", LogAsync);
        ExecEndpoints.Map(app);
        AttachEndpoints.Map(app);
        ArchiveEndpoints.Map(app);
        app.MapPost(Prefix + "/apply", ApplyAsync);
        app.MapPost(Prefix + "/preview", PreviewEndpoints.PreviewAsync);
        ImageEndpoints.Map(app);
        VolumeEndpoints.Map(app);
        StatsEndpoints.Map(app);
        LifecycleEndpoints.Map(app);
        SourceEndpoints.Map(app);
        RolloutEndpoints.Map(app);
        app.MapGet(Prefix + "/{plural}", List);
        app.MapPost(Prefix + "/{plural}", CreateAsync);
        app.MapGet(Prefix + "/{plural}/{name}", Get);
        app.MapPut(Prefix + "/{plural}/{name}", PutAsync);
        app.MapDelete(Prefix + "/{plural}/{name}", Delete);
        app.MapFallback((HttpContext c) => Error(404, "NotFound", $"no such path: {c.Request.Method} {c.Request.Path}"));
    }

    /// <summary>
    /// <c>GET isles</c> (networks, volumes): the list, narrowed by <c>?labelSelector=</c> and <c>?fieldSelector=metadata.name=</c>; with <c>?watch=true</c>, the
    /// list and then its changes as they happen (<see cref="WatchEndpoint"/>).
    /// </summary>
    static async Task List(string plural, DesiredStore desired, StateStore store, EventRecorder events, HttpContext context)
    {
        if (!ObjectKey.TryParsePlural(plural, out var kind))
        {
            await UnknownKind(plural).ExecuteAsync(context);
            return;
        }
        if (!LabelSelection.TryGet(context.Request, out var selector, out var bad) || !TryGetName(context.Request, out var only, out bad))
        {
            await bad!.ExecuteAsync(context);
            return;
        }
        var volumes = context.RequestServices.GetService<Volumes.IsleVolumes>();
        var health = context.RequestServices.GetService<Health.HealthMonitor>();
        var startup = context.RequestServices.GetService<Reconcile.StartupCheck>();
        if (context.Request.Query["watch"].FirstOrDefault() is "true" or "1")
        {
            await WatchEndpoint.RunAsync(context, kind, selector, only, desired, store, events, key => Find(key, desired, store, volumes, health, startup));
            return;
        }
        var items = Keys(kind, desired, store).Where(k => (only is null || k.Name == only) && LabelSelection.Selects(selector, desired, k)).Select(k => View(k, desired, store, volumes, health, startup));
        await Json(ObjectViews.List(kind, items), ApiJson.Context.ObjectListView).ExecuteAsync(context);
    }

    /// <summary>
    /// <c>?fieldSelector=metadata.name=NAME</c>, Kubernetes' way to list or watch one object: null without one, or a 400
    /// BadRequest for any other field selector. A client waiting for one isle (<c>islanderctl run</c>) watches it alone.
    /// </summary>
    static bool TryGetName(HttpRequest request, out string? name, out IResult? error)
    {
        (name, error) = (null, null);
        if (request.Query["fieldSelector"].FirstOrDefault() is not { } field)
            return true;
        foreach (var prefix in (string[])["metadata.name==", "metadata.name="])
            if (field.StartsWith(prefix, StringComparison.Ordinal) && field.Length > prefix.Length && !field.Contains(','))
            {
                name = field[prefix.Length..];
                return true;
            }
        error = Error(400, "BadRequest", $"fieldSelector \"{field}\": only metadata.name=NAME is supported");
        return false;
    }

    /// <summary>Every object of the kind the API shows, in name order: the desired ones, and the isles and volumes still being pruned.</summary>
    internal static IEnumerable<ObjectKey> Keys(ObjectKind kind, DesiredStore desired, StateStore store)
    {
        var keys = desired.List(kind).Select(e => e.Key).ToHashSet();
        if (kind == ObjectKind.Isle) keys.UnionWith(store.Isles().Select(r => ObjectKey.Isle(r.Name))); // being pruned
        if (kind == ObjectKind.Volume) keys.UnionWith(store.Volumes().Select(r => new ObjectKey(kind, r.Name))); // waiting for its isles to go
        return keys.Order();
    }

    static bool Exists(ObjectKey key, DesiredStore desired, StateStore store) =>
        desired.Get(key) is not null || (key.Kind == ObjectKind.Isle && store.GetIsle(key.Name) is not null) || (key.Kind == ObjectKind.Volume && store.GetVolume(key.Name) is not null);

    /// <summary>The object's view, or null when the API shows no such object.</summary>
    static ObjectView? Find(ObjectKey key, DesiredStore desired, StateStore store, Volumes.IsleVolumes? volumes, Health.HealthMonitor? health, Reconcile.StartupCheck? startup) =>
        Exists(key, desired, store) ? View(key, desired, store, volumes, health, startup) : null;

    static IResult Get(string plural, string name, DesiredStore desired, StateStore store, HttpContext context)
    {
        if (!ObjectKey.TryParsePlural(plural, out var kind)) return UnknownKind(plural);
        var key = new ObjectKey(kind, name);
        if (!Exists(key, desired, store)) return NotFound(key);
        return Json(View(key, desired, store, context.RequestServices.GetService<Volumes.IsleVolumes>(), context.RequestServices.GetService<Health.HealthMonitor>(),
            context.RequestServices.GetService<Reconcile.StartupCheck>()),
            ApiJson.Context.ObjectView);
    }

    static async Task<IResult> PutAsync(string plural, string name, HttpRequest request, DesiredStore desired, StateStore store, IManifestParser parser)
    {
        if (!ObjectKey.TryParsePlural(plural, out var kind)) return UnknownKind(plural);
        var (obj, error) = await ParseOneAsync(request, parser, $"{plural}/{name}", "PUT");
        if (obj is null) return error!;
        if (obj.Key != new ObjectKey(kind, name)) return Error(422, Reasons.InvalidManifest, $"the body is {obj.Key}, the path {kind}/{name}");
        try
        {
            var outcome = desired.Apply(obj);
            return Json(View(obj.Key, desired, store), ApiJson.Context.ObjectView, outcome == ApplyOutcome.Created ? 201 : 200);
        }
        catch (IslanderException e) { return Error(e); }
    }

    /// <summary>
    /// Kubernetes' create (<c>POST /isles</c> with one object): 201 and the object, or 409 AlreadyExists when the name
    /// is taken. Never replaces anything, unlike apply and PUT: <c>islanderctl run --name</c> must not take over an isle.
    /// </summary>
    static async Task<IResult> CreateAsync(string plural, HttpRequest request, DesiredStore desired, StateStore store, IManifestParser parser)
    {
        if (!ObjectKey.TryParsePlural(plural, out var kind)) return UnknownKind(plural);
        var (obj, error) = await ParseOneAsync(request, parser, plural, "POST");
        if (obj is null) return error!;
        if (obj.Key.Kind != kind) return Error(422, Reasons.InvalidManifest, $"the body is {obj.Key}, the path {plural}");
        try
        {
            desired.Create(obj);
            return Json(View(obj.Key, desired, store), ApiJson.Context.ObjectView, 201);
        }
        catch (IslanderException e) { return Error(e); }
    }

    /// <summary>The one valid object of a request body, or the error to answer with.</summary>
    static async Task<(DesiredObject? Object, IResult? Error)> ParseOneAsync(HttpRequest request, IManifestParser parser, string defaultSource, string method)
    {
        var (text, tooLarge) = await RequestBody.ReadTextAsync(request);
        if (text is null) return (null, tooLarge);
        var parsed = ConfigFileContent.RequireSent(parser.Parse(request.Query["source"].FirstOrDefault() ?? defaultSource, text));
        if (parsed.Diagnostics.Count > 0) return (null, Invalid(parsed.Diagnostics));
        if (parsed.Objects is not [var obj]) return (null, Error(422, Reasons.InvalidManifest, $"{method} takes exactly one object; found {parsed.Objects.Count}"));
        return (obj, null);
    }

    static IResult Delete(string plural, string name, DesiredStore desired)
    {
        if (!ObjectKey.TryParsePlural(plural, out var kind)) return UnknownKind(plural);
        try
        {
            desired.Delete(new ObjectKey(kind, name));
            return Json(StatusView.Success($"{kind}/{name} deleted"), ApiJson.Context.StatusView);
        }
        catch (IslanderException e) { return Error(e); }
    }

    /// <summary>
    /// Applies every valid object of a multi-document YAML body; <c>?dryRun=true</c> changes nothing and returns the
    /// current and the new spec of each object and <c>plan</c>, the actions the apply would make the daemon take (for
    /// <c>islanderctl diff</c>). 200 if all went well, else 422
    /// (a problem in the manifests) or 409 (an object owned by a manifest file), with the per-object results.
    /// </summary>
    static async Task<IResult> ApplyAsync(HttpRequest request, DesiredStore desired, StateStore store, IManifestParser parser, ILoggerFactory logs)
    {
        var (text, tooLarge) = await RequestBody.ReadTextAsync(request);
        if (text is null) return tooLarge!;
        var source = request.Query["source"].FirstOrDefault() ?? "<stdin>";
        bool dryRun = request.Query["dryRun"].FirstOrDefault() is "true" or "1" or "All";
        var parsed = ConfigFileContent.RequireSent(parser.Parse(source, text));
        var items = new List<ApplyItemView>();
        var previewed = new List<DesiredObject>();
        int code = parsed.Diagnostics.Count > 0 ? 422 : 200;
        foreach (var obj in parsed.Objects)
        {
            var item = new ApplyItemView(obj.Key.Kind.ToString(), obj.Name, "");
            var current = desired.Get(obj.Key);
            try
            {
                if (dryRun)
                {
                    if (current is { FromApi: false }) throw DesiredStore.OwnedElsewhere(current, "edit");
                    item = item with
                    {
                        Outcome = current?.Object is null ? "created" : current.Object.SpecHash == obj.SpecHash ? "unchanged" : "configured",
                        Current = current?.Object is { } before ? ObjectViews.Element(before.Spec) : JsonNull, // a new object: "current": null
                        Desired = ObjectViews.Element(obj.Spec),
                    };
                    previewed.Add(obj);
                }
                else
                {
                    var outcome = desired.Apply(obj).ToString().ToLowerInvariant();
                    item = item with { Outcome = outcome, Generation = desired.Get(obj.Key)?.Generation };
                }
            }
            catch (IslanderException e)
            {
                item = item with { Outcome = "error", Reason = e.Category.ToString(), Message = e.Message };
                if (code == 200) code = ApiErrors.StatusCode(e.Category);
            }
            items.Add(item);
        }
        foreach (var key in parsed.Rejected)
            items.Add(new ApplyItemView(key.Kind.ToString(), key.Name, "invalid"));
        if (!dryRun && parsed.Objects.Count > 0)
            logs.CreateLogger("Islander.Controller.Api").LogInformation("Applied {Count} object(s) from {Source}", parsed.Objects.Count, source);
        var body = new ApplyResultView(ApiJson.ApiVersion, "ApplyResult", dryRun, items, [.. parsed.Diagnostics.Select(ProblemView.From)],
            dryRun ? DryRunPlan(desired, store, previewed) : null);
        return Json(body, ApiJson.Context.ApplyResultView, code);
    }

    /// <summary>
    /// What applying <paramref name="objects"/> would make the daemon do: the Model's plan for the state after the apply,
    /// less what it plans already (an isle backing off, say), one line each (<see cref="PlanAction.Describe"/>, then its
    /// <see cref="PlanAction.Details"/> indented; problems
    /// as <c>! Isle/web: why</c>). The same rules the reconciler follows, from the same Model.
    /// </summary>
    internal static IReadOnlyList<string> DryRunPlan(DesiredStore desired, StateStore store, IReadOnlyList<DesiredObject> objects, IReadOnlyList<ObjectKey>? removed = null)
    {
        if (objects.Count == 0 && removed is not { Count: > 0 }) return [];
        var current = desired.ToModel([]);
        var actual = ActualStates.Of(store);
        var before = StateDiff.Diff(current, actual);
        var after = StateDiff.Diff(desired.ToModel(objects, removed), actual);
        var planned = before.Actions.Select(a => a.Describe()).Concat(before.Problems.Select(p => $"! {p}")).ToHashSet();
        // Under an isle's edit, each changed field and what it takes (PlanAction.Details): what `islanderctl diff` shows.
        return after.Actions.Where(a => !planned.Contains(a.Describe())).SelectMany(a => a.Details.Select(d => "    " + d).Prepend(a.Describe()))
            .Concat(after.Problems.Select(p => $"! {p}").Where(l => !planned.Contains(l))).ToList();
    }

    /// <summary>
    /// <c>GET isles/NAME/log?follow=&amp;tail=&amp;since=&amp;until=</c>: the isle's log entries as NDJSON, each a line of
    /// Docker's json-file (<see cref="LogEntryView"/>); <c>since</c> and <c>until</c> are RFC 3339 times or Unix seconds.
    /// </summary>
    static async Task LogAsync(string name, HttpContext context, DesiredStore desired, StateStore store, IIsleLogs logs)
    {
        var key = ObjectKey.Isle(name);
        var wanted = desired.Get(key);
        if (wanted is null && store.GetIsle(name) is null)
        {
            await NotFound(key).ExecuteAsync(context);
            return;
        }
        var q = context.Request.Query;
        bool follow = q["follow"].FirstOrDefault() is "true" or "1";
        int? tail = int.TryParse(q["tail"].FirstOrDefault(), out var n) && n >= 0 ? n : null;
        DateTimeOffset? since = null, until = null;
        foreach (var (param, set) in new (string, Action<DateTimeOffset>)[] { ("since", t => since = t), ("until", t => until = t) })
        {
            if (q[param].FirstOrDefault() is not { Length: > 0 } text) continue;
            if (!LogTime.TryParseSince(text, DateTimeOffset.UtcNow, out var t))
            {
                await Error(400, "BadRequest", $"{param}=\"{ManifestLimits.Excerpt(text, 40)}\" is not a time; use {LogTime.SinceForms}").ExecuteAsync(context);
                return;
            }
            set(t);
        }
        IAsyncEnumerable<LogEntryView> entries;
        try
        {
            entries = logs.ReadAsync(name, wanted?.Object?.Isle?.Logging?.Driver ?? LogDriver.JsonFile, new IsleLogQuery(tail, since, until, follow), context.RequestAborted);
        }
        catch (IslanderException e)
        {
            await Error(e).ExecuteAsync(context);
            return;
        }
        context.Response.ContentType = "application/x-ndjson";
        await context.Response.StartAsync(context.RequestAborted);
        try
        {
            await foreach (var entry in entries)
            {
                await context.Response.WriteAsync(JsonSerializer.Serialize(entry, ApiJson.Context.LogEntryView) + "\n", context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested) { }
    }

    /// <summary>
    /// <c>GET events[?watch=true][&amp;labelSelector=S]</c>: the recorded events (then, watching, each new one), only those
    /// about objects the selector selects (by the object's labels now; see <see cref="LabelSelection"/>). A watch with
    /// <c>history=false</c> skips the recorded ones: only events after its answer's headers.
    /// </summary>
    static async Task EventsAsync(HttpContext context, EventRecorder events, DesiredStore desired)
    {
        if (!LabelSelection.TryGet(context.Request, out var selector, out var bad))
        {
            await bad!.ExecuteAsync(context);
            return;
        }
        bool Selected(EventRecord e) => selector.IsEverything
            || (Enum.TryParse<ObjectKind>(e.Kind, out var kind) && LabelSelection.Selects(selector, desired, new ObjectKey(kind, e.Name)));
        bool watch = context.Request.Query["watch"].FirstOrDefault() is "true" or "1";
        if (!watch)
        {
            var list = new EventListView(ApiJson.ApiVersion, "EventList", [.. events.Recent().Where(Selected).Select(ObjectViews.Event)]);
            await Json(list, ApiJson.Context.EventListView).ExecuteAsync(context);
            return;
        }
        // Subscribed before the answer's headers go out: a client that has them hears of every event after, so with
        // history=false it reads the object it waits for then and misses nothing (islanderctl run).
        using var subscription = events.Subscribe(history: context.Request.Query["history"].FirstOrDefault() is not ("false" or "0"));
        context.Response.ContentType = "application/x-ndjson";
        try
        {
            await context.Response.StartAsync(context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await foreach (var e in subscription.ReadAsync(context.RequestAborted))
            {
                if (!Selected(e)) continue;
                await context.Response.WriteAsync(JsonSerializer.Serialize(ObjectViews.Event(e), ApiJson.Context.EventView) + "\n", context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested) { }
    }

    /// <summary>
    /// The object's view; a volume's usage is asked of its driver now (read-only), not taken from the last pass; a running
    /// isle's health is the monitor's, for the run the record names.
    /// </summary>
    static ObjectView View(ObjectKey key, DesiredStore desired, StateStore store, Volumes.IsleVolumes? volumes = null, Health.HealthMonitor? health = null,
        Reconcile.StartupCheck? startup = null)
    {
        var isle = key.Kind == ObjectKind.Isle ? store.GetIsle(key.Name) : null;
        // Without the check (a create's answer), the record: a new object has no record that islanderd found ended.
        var ended = isle is null ? null : startup?.Of(isle);
        return ObjectViews.Object(desired.Get(key), isle, key,
            key.Kind == ObjectKind.Network ? store.GetNetwork(key.Name) : null,
            key.Kind != ObjectKind.Volume ? null : volumes?.Current(key.Name) ?? store.GetVolume(key.Name),
            isle is { State: IslePhase.Running } && ended is null ? health?.View(key.Name, isle.Pid) : null,
            key.Kind == ObjectKind.Source ? store.GetSource(key.Name) : null,
            key.Kind == ObjectKind.Source ? desired.Owned(Desired.DesiredOwner.Source(key.Name)).Count : null, ended);
    }

    /// <summary>422 with the first problems in the message and all of them (at most <see cref="ManifestLimits.MaxProblems"/>) in details.</summary>
    static IResult Invalid(IReadOnlyList<Diagnostic> problems) =>
        Error(422, Reasons.InvalidManifest, string.Join("; ", problems.Take(3)) + (problems.Count > 3 ? $"; and {problems.Count - 3} more (see details)" : ""),
            [.. problems.Select(ProblemView.From)]);

    /// <summary>A JSON null, which the view writes where a property that is left out would mean something else.</summary>
    static readonly JsonElement JsonNull = JsonDocument.Parse("null").RootElement.Clone();

    static IResult UnknownKind(string plural) => Error(404, "NotFound", $"no resource type \"{plural}\"; use isles, networks or volumes");
}
