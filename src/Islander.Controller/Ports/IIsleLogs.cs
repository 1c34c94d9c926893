namespace Islander.Controller.Ports;

/// <summary>
/// Reads an isle's combined stdout/stderr log, which the shim writes in the isle's run directory
/// (so it survives daemon restarts and ends only when the isle is deleted).
/// </summary>
public interface IIsleLogs
{
    /// <summary>
    /// The last <paramref name="tail"/> lines (all when null), then, with <paramref name="follow"/>, every new line
    /// until the isle ends or the caller cancels. Yields nothing for an isle without a log.
    /// </summary>
    IAsyncEnumerable<string> ReadAsync(string name, int? tail, bool follow, CancellationToken cancellationToken);
}
