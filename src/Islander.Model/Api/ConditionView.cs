namespace Islander.Model.Api;

/// <summary>
/// A condition of an object's status, as Kubernetes and Flux write them: <c>{type: Ready, status: "False", reason:
/// GitOperationFailed, message, lastTransitionTime}</c>.
/// </summary>
public sealed record ConditionView(string Type, string Status, string Reason, string Message, DateTimeOffset? LastTransitionTime = null);
