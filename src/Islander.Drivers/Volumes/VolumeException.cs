using Islander.Model;

namespace Islander.Drivers.Volumes;

/// <summary>A volume operation that failed, with the volume's name in the message and the kernel's error as the inner exception.</summary>
public sealed class VolumeException(string message, ErrorCategory category, Exception? inner = null)
    : IslanderException(message, category, inner)
{
    /// <summary>Wraps a failed syscall once, at the driver boundary: <c>create volume data: mkdir ...: EACCES</c>.</summary>
    public static VolumeException From(string what, IslanderException inner) => new($"{what}: {inner.Message}", inner.Category, inner);
}
