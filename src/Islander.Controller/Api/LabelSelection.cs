using Islander.Controller.Desired;
using Islander.Model;
using Microsoft.AspNetCore.Http;

using static Islander.Controller.Api.ApiErrors;

namespace Islander.Controller.Api;

/// <summary>
/// <c>?labelSelector=</c>, as Kubernetes' list, watch and event endpoints take it (the Model's <see cref="LabelSelector"/>),
/// applied here so a client gets only what it selected. An object's labels are its desired metadata's: an isle being
/// pruned, or the events of an object deleted since, have none (so <c>!key</c> and <c>key!=v</c> select them).
/// </summary>
public static class LabelSelection
{
    public const string Parameter = "labelSelector";

    /// <summary>The request's selector (everything when it has none), or a 400 BadRequest saying what is wrong where.</summary>
    public static bool TryGet(HttpRequest request, out LabelSelector selector, out IResult? error)
    {
        error = null;
        if (LabelSelector.TryParse(request.Query[Parameter].FirstOrDefault(), out selector, out var message)) return true;
        error = Error(400, "BadRequest", message!);
        return false;
    }

    public static bool Selects(LabelSelector selector, DesiredStore desired, ObjectKey key) =>
        selector.IsEverything || selector.Matches(desired.Get(key)?.Object?.Labels);
}
