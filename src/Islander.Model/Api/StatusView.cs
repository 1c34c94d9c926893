namespace Islander.Model.Api;

/// <summary>
/// Kubernetes' Status: the body of every error (<c>{"kind":"Status","status":"Failure","reason":"NotFound","message":...,"code":404}</c>,
/// <see cref="Details"/> the manifest's problems) and of a success that returns no object (a delete, a snapshot).
/// <see cref="Isles"/>: the isles a volume restore stopped, to start again.
/// </summary>
public sealed record StatusView(string ApiVersion, string Kind, string? Status = null, string? Reason = null, string? Message = null, int? Code = null,
    IReadOnlyList<ProblemView>? Details = null, IReadOnlyList<string>? Isles = null)
{
    public static StatusView Failure(string reason, string message, int code, IReadOnlyList<ProblemView>? details = null) =>
        new(ApiJson.ApiVersion, "Status", "Failure", reason, message, code, details);

    public static StatusView Success(string message, IReadOnlyList<string>? isles = null) =>
        new(ApiJson.ApiVersion, "Status", "Success", Message: message, Isles: isles);
}
