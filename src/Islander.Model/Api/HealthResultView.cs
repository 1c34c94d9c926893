namespace Islander.Model.Api;

/// <summary>
/// One health check: when it ran, whether it passed, the exec check's exit code (-1: timed out or could not run) or the
/// http check's status, and what it said (an exec check's output, at most 4 KiB, as Docker keeps; the reason of a failure).
/// </summary>
public sealed record HealthResultView(DateTimeOffset Start, DateTimeOffset End, bool Passed, string Output, int? ExitCode = null, int? HttpStatus = null);
