using Islander.Model;

namespace Islander.Drivers.Network;

/// <summary>A network driver operation failed; wraps the kernel's error with the network and isle it was for.</summary>
public sealed class NetworkException(string message, ErrorCategory category = ErrorCategory.Unknown, Exception? inner = null)
    : IslanderException(message, category, inner)
{
    /// <summary>Adds context to {inner}, keeping its category.</summary>
    public static NetworkException Wrap(string context, Exception inner) =>
        new($"{context}: {inner.Message}", inner is IslanderException i ? i.Category : ErrorCategory.Unknown, inner);
}
