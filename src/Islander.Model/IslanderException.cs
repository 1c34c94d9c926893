namespace Islander.Model;

/// <summary>
/// containerd errdefs-style categories: the API maps them to status codes, the reconciler to retry or not.
/// InsufficientStorage: a full file system under the state directory (HTTP 507); retried, it passes once space returns.
/// </summary>
public enum ErrorCategory { Unknown, NotFound, AlreadyExists, InvalidManifest, Unsupported, Conflict, Transient, InsufficientStorage }

/// <summary>Base of every error islander raises on purpose.</summary>
public class IslanderException : Exception
{
    public IslanderException(string message, ErrorCategory category = ErrorCategory.Unknown, Exception? inner = null)
        : base(message, inner) => Category = category;

    public ErrorCategory Category { get; }
}
