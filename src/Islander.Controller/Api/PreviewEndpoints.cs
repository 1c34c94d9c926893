using System.Text.Json;
using Islander.Controller.Desired;
using Islander.Controller.State;
using Islander.Model;
using Islander.Model.Api;
using Microsoft.AspNetCore.Http;

using static Islander.Controller.Api.ApiErrors;

namespace Islander.Controller.Api;

/// <summary>
/// <c>POST preview</c> (<see cref="PreviewRequestView"/>): what the daemon would do if these manifests were its
/// manifests directory (<c>files</c>) or a source's tree (<c>source/NAME</c>), computed by the desired store's own rule
/// (<see cref="DesiredStore.PreviewReplace"/>) and the Model's plan, and applied to nothing. Objects a file or a source
/// holds are previewed like any other; a whole tree shows what would be pruned or released. With owner <c>api</c> it is
/// an apply's dry run (kubectl's diff). The answer is an <see cref="ApplyResultView"/> naming the owner it previewed.
/// </summary>
public static class PreviewEndpoints
{
    public static async Task<IResult> PreviewAsync(HttpRequest request, DesiredStore desired, StateStore store, IManifestParser parser)
    {
        var (text, tooLarge) = await RequestBody.ReadTextAsync(request);
        if (text is null) return tooLarge!;
        PreviewRequestView? body;
        try
        {
            body = JsonSerializer.Deserialize(text, ApiJson.Context.PreviewRequestView);
        }
        catch (JsonException e)
        {
            return Error(400, "BadRequest", $"the body is not a {PreviewRequestView.KindName}: {ManifestLimits.Excerpt(e.Message, 200)}");
        }
        // JSON's null reaches a list's items and a record's strings as it is: "files": [null] or {"path": null} was a 500.
        if (body is null || body.Files is null || body.Files.Any(f => f?.Path is null))
            return Error(400, "BadRequest", $"the body is not a {PreviewRequestView.KindName} (each of files needs a path and a text)");

        var files = body.Files.Select(f => (f.Path, parser.Parse(f.Path, f.Text ?? ""))).ToList();
        var problems = files.SelectMany(f => f.Item2.Diagnostics).Select(ProblemView.From).ToList();
        var owner = body.Owner is null ? Infer(desired, files) : ParseOwner(body.Owner);
        if (owner is null)
            return body.Owner is null
                ? Error(422, "Ambiguous", $"these manifests define objects of {string.Join(" and ", Owners(desired, files).Select(o => o.Name))}; say which tree they are: --manifests (the manifests directory) or --source NAME")
                : Error(400, "BadRequest", $"owner \"{ManifestLimits.Excerpt(body.Owner, 60)}\" is not files, api or source/NAME");
        if (owner.Value.IsApi) return ApplyPreview(desired, store, files, problems);

        var items = new List<ApplyItemView>();
        var overrides = new List<DesiredObject>();
        var removed = new List<ObjectKey>();
        foreach (var (key, before, after) in desired.PreviewReplace(owner.Value, files, whole: body.Whole))
        {
            var item = new ApplyItemView(key.Kind.ToString(), key.Name, "",
                Current: before?.Object is { } b ? ObjectViews.Element(b.Spec) : null,
                Desired: after?.Object is { } a ? ObjectViews.Element(a.Spec) : null);
            if (after is null)
            {
                removed.Add(key);
                item = item with { Outcome = "pruned", Message = $"no manifest defines it any more; {owner.Value.ManagedBy} would delete it" };
            }
            else if (after.Owner != owner.Value && after.Conflicts.TryGetValue(owner.Value.Name, out var conflict))
                item = item with { Outcome = "conflict", Reason = "Conflict", Message = conflict };
            else if (after.Released && before is { Released: false })
                item = item with
                {
                    Outcome = "released",
                    Message = "no manifest defines it any more; kept running (prune: false or islander.io/prune: disabled), owned by the API from then on",
                };
            else if (after.ManifestProblems.Count > 0)
                item = item with { Outcome = "invalid", Reason = Reasons.InvalidManifest, Message = string.Join("; ", after.ManifestProblems) };
            else if (before?.Object is null && after.Object is not null)
                item = item with { Outcome = "created" };
            else if (before?.Object is { } was && after.Object is { } now && (was.ContentHash != now.ContentHash || !DesiredStore.SameMetadata(was, now)))
                item = item with { Outcome = "configured" };
            else
                item = item with { Outcome = "unchanged" };
            if (item.Outcome is "created" or "configured") overrides.Add(after!.Object!);
            items.Add(item);
        }
        var plan = ApiEndpoints.DryRunPlan(desired, store, overrides, removed);
        return Json(new ApplyResultView(ApiJson.ApiVersion, "ApplyResult", true, items, problems, plan, owner.Value.Name), ApiJson.Context.ApplyResultView,
            problems.Count > 0 || items.Any(i => i.Outcome is "invalid" or "conflict") ? 422 : 200);
    }

    /// <summary>Kubernetes' diff: what <c>apply -f</c> would do; nothing is pruned, objects another owner holds are conflicts.</summary>
    static IResult ApplyPreview(DesiredStore desired, StateStore store, List<(string Path, ManifestLoadResult<DesiredObject> Result)> files, List<ProblemView> problems)
    {
        var items = new List<ApplyItemView>();
        var overrides = new List<DesiredObject>();
        foreach (var obj in files.SelectMany(f => f.Result.Objects))
        {
            var current = desired.Get(obj.Key);
            var item = new ApplyItemView(obj.Key.Kind.ToString(), obj.Name, "",
                Current: current?.Object is { } b ? ObjectViews.Element(b.Spec) : null, Desired: ObjectViews.Element(obj.Spec));
            if (current is { FromApi: false })
                item = item with { Outcome = "conflict", Reason = "Conflict", Message = DesiredStore.OwnedElsewhere(current, "edit").Message };
            else
            {
                item = item with { Outcome = current?.Object is null ? "created" : current.Object.ContentHash == obj.ContentHash && DesiredStore.SameMetadata(current.Object, obj) ? "unchanged" : "configured" };
                overrides.Add(obj);
            }
            items.Add(item);
        }
        foreach (var key in files.SelectMany(f => f.Result.Rejected))
            items.Add(new ApplyItemView(key.Kind.ToString(), key.Name, "invalid", Reason: Reasons.InvalidManifest));
        return Json(new ApplyResultView(ApiJson.ApiVersion, "ApplyResult", true, items, problems, ApiEndpoints.DryRunPlan(desired, store, overrides), DesiredOwner.Api.Name),
            ApiJson.Context.ApplyResultView, problems.Count > 0 || items.Any(i => i.Outcome is "invalid" or "conflict") ? 422 : 200);
    }

    /// <summary>
    /// The owner these manifests belong to: the one (manifests directory or source) that holds the objects they define,
    /// the API when none does (new objects, applied ones), or null when two do.
    /// </summary>
    static DesiredOwner? Infer(DesiredStore desired, List<(string Path, ManifestLoadResult<DesiredObject> Result)> files)
    {
        var owners = Owners(desired, files);
        return owners.Count switch { 0 => DesiredOwner.Api, 1 => owners[0], _ => null };
    }

    static List<DesiredOwner> Owners(DesiredStore desired, List<(string Path, ManifestLoadResult<DesiredObject> Result)> files) =>
        files.SelectMany(f => f.Result.Objects.Select(o => o.Key).Concat(f.Result.Rejected))
            .Select(desired.Get).Where(e => e is { FromApi: false }).Select(e => e!.Owner).Distinct().OrderBy(o => o.Name, StringComparer.Ordinal).ToList();

    static DesiredOwner? ParseOwner(string name)
    {
        if (name == DesiredOwner.Files.Name) return DesiredOwner.Files;
        if (name == DesiredOwner.Api.Name) return DesiredOwner.Api;
        var owner = DesiredOwner.Parse(name, "");
        return owner.SourceName is { Length: <= 63 } source && source.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-') ? owner : null;
    }
}
