using System.Globalization;
using Islander.Drivers.Interop;

namespace Islander.Drivers.Runtime;

/// <summary>
/// Whether a standard stream is systemd's journal: systemd sets <c>$JOURNAL_STREAM</c> to <c>DEVICE:INODE</c> of the
/// stream socket it connects a service's stdout and stderr to (systemd.exec(5)). Comparing it with the fd's own
/// fstat(2) is the check systemd documents: the variable is inherited by children whose output goes elsewhere (a
/// shell redirect, a pipe to another program), and those must not write <c>&lt;N&gt;</c> prefixes.
/// </summary>
public static class JournalStream
{
    /// <summary>True when <paramref name="fd"/> (1 for stdout, 2 for stderr) is the stream <c>$JOURNAL_STREAM</c> names.</summary>
    public static bool Is(int fd) =>
        Parse(Environment.GetEnvironmentVariable("JOURNAL_STREAM")) is { } journal && StatInterop.Identity(fd) == journal;

    /// <summary><c>DEVICE:INODE</c>, both decimal, as systemd writes them; null when unset or malformed.</summary>
    public static (ulong Device, ulong Inode)? Parse(string? value)
    {
        if (string.IsNullOrEmpty(value)) return null;
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        return colon > 0
            && ulong.TryParse(value.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var device)
            && ulong.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var inode)
                ? (device, inode)
                : null;
    }
}
