using Islander.Model;

namespace Islander.Controller.Hosting;

/// <summary>
/// Settings islanderd cannot start with: a config file's problems, one <c>FILE:LINE:COL: field: reason</c> per line,
/// a config file that cannot be read, or a socket group that does not exist.
/// </summary>
public sealed class DaemonConfigException : IslanderException
{
    public DaemonConfigException(IReadOnlyList<Diagnostic> problems)
        : base(string.Join('\n', problems), ErrorCategory.InvalidManifest) => Problems = problems;

    public DaemonConfigException(string message, Exception? inner = null)
        : base(message, ErrorCategory.InvalidManifest, inner) => Problems = [];

    /// <summary>The file's problems (empty when the file could not be read or the group is missing).</summary>
    public IReadOnlyList<Diagnostic> Problems { get; }
}
