using Islander.Model;

namespace Islander.Controller.Ports;

/// <summary>
/// The isle's working directory could not be entered: it is a file, or a link that leads out of the isle's root or
/// through a magic link such as /proc/self/fd/N (refused since runc's CVE-2024-21626). Terminal, as a command that
/// cannot be executed: starting again meets the same path until the spec (or the image) changes.
/// </summary>
public sealed class IsleWorkingDirException(string message, Exception? inner = null)
    : IslanderException(message, ErrorCategory.InvalidManifest, inner)
{
    public const string Reason = Reasons.WorkingDirInvalid;
}
