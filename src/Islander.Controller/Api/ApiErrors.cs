using System.Text;
using System.Text.Json;
using Islander.Controller.Desired;
using System.Text.Json.Serialization.Metadata;
using Islander.Model;
using Islander.Model.Api;
using Microsoft.AspNetCore.Http;

namespace Islander.Controller.Api;

/// <summary>
/// The API's JSON answers and errors, one shape for every endpoint: compact JSON, Kubernetes-style Status objects,
/// error categories mapped to HTTP codes after containerd's errdefs → gRPC codes.
/// </summary>
public static class ApiErrors
{
    public static int StatusCode(ErrorCategory category) => category switch
    {
        ErrorCategory.NotFound => 404,
        ErrorCategory.AlreadyExists => 409,
        ErrorCategory.Conflict => 409,
        ErrorCategory.InvalidManifest => 422,
        ErrorCategory.Unsupported => 501,
        ErrorCategory.Transient => 503,
        ErrorCategory.InsufficientStorage => 507, // WebDAV's Insufficient Storage, as registries answer a full disk
        _ => 500,
    };

    /// <summary>
    /// A view, written by the serializer islanderctl reads it with, as UTF-8 straight into the response (application/json;
    /// charset=utf-8): not first into a string, which cost a UTF-16 copy and its re-encoding per request (2 × 13 KiB of
    /// garbage for a list of 20 isles, at thousands of GETs a second).
    /// </summary>
    internal static IResult Json<T>(T body, JsonTypeInfo<T> type, int code = 200) => Results.Json(body, type, statusCode: code);

    /// <summary>
    /// An error; its message is cut to <see cref="MaxMessage"/> characters, so no answer echoes a large body back
    /// (a value quoted from a 20 MB request once came back whole).
    /// </summary>
    internal static IResult Error(int code, string reason, string message, IReadOnlyList<ProblemView>? details = null) =>
        Json(StatusView.Failure(reason, ManifestLimits.Excerpt(message, MaxMessage), code, details), ApiJson.Context.StatusView, code);

    internal const int MaxMessage = 2000;

    internal static IResult Error(IslanderException e) => Error(StatusCode(e.Category), e.Category.ToString(), e.Message);

    internal static IResult NotFound(ObjectKey key) => Error(404, "NotFound", $"{key.Kind.ToString().ToLowerInvariant()} \"{key.Name}\" not found");

    /// <summary>409 for what needs the isle's processes (exec, attach, cp) while its record, if any, is not Running.</summary>
    internal static IResult NotRunning(string name, State.IsleRecord? record, string verb) =>
        Error(409, "Conflict", $"isle {name} is not running (phase {record?.State.ToString() ?? "Pending"}); {verb} needs a running isle");
}
