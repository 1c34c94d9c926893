using Islander.Model;
using Islander.Model.Api;

namespace Islander.Controller.Ports;

/// <summary>
/// Reads an isle's stdout and stderr, which its shim writes in the isle's state directory as Docker's json-file (so
/// the log grows while the daemon is down, and goes only when the isle is deleted).
/// </summary>
public interface IIsleLogs
{
    /// <summary>
    /// The entries <paramref name="query"/> asks for, oldest first, then, with <see cref="IsleLogQuery.Follow"/>, every
    /// new one until the isle's run ends (and its output is read) or the caller cancels. Yields nothing for an isle
    /// without a log. <paramref name="driver"/> is the isle's (its spec's <c>logging.driver</c>): where to read.
    /// </summary>
    /// <exception cref="Islander.Model.IslanderException">Unsupported: the journal cannot be read here (no journalctl).</exception>
    IAsyncEnumerable<LogEntryView> ReadAsync(string name, LogDriver driver, IsleLogQuery query, CancellationToken cancellationToken);
}
