using Islander.Model.Api;

namespace Islander.Cli.Api;

/// <summary>
/// An error to print as it is (it already says what to do), with the exit code islanderctl returns.
/// <see cref="Reason"/> is the API's (NotFound, InvalidManifest, Conflict, ...) or Unavailable.
/// </summary>
public sealed class ClientException(string message, string reason = "Error", int exitCode = 1, IReadOnlyList<ProblemView>? problems = null) : Exception(message)
{
    public string Reason { get; } = reason;
    public int ExitCode { get; } = exitCode;
    public IReadOnlyList<ProblemView> Problems { get; } = problems ?? [];
}
