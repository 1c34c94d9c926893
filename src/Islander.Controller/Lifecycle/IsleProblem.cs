namespace Islander.Controller.Lifecycle;

/// <summary>Why a start failed: a status reason (StartFailed, StartError, ...) and a message for people.</summary>
public sealed record IsleProblem(string Reason, string Message);
