namespace Islander.Controller.Sources;

/// <summary>
/// A fetch or checkout of a source that did not give a revision to apply; <see cref="Reason"/> is the status reason
/// (<see cref="SourceReasons"/>). Nothing is applied or pruned for it: the last applied revision stays.
/// </summary>
public sealed class SourceException(string reason, string message) : Exception(message)
{
    public string Reason { get; } = reason;
}
