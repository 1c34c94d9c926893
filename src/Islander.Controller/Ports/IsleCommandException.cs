using Islander.Model;

namespace Islander.Controller.Ports;

/// <summary>
/// The isle was set up but its command could not be executed (isle-init's execve failed): the command does not
/// exist (<see cref="NotFoundReason"/>, errno ENOENT) or is not executable (<see cref="NotExecutableReason"/>:
/// EACCES, ENOEXEC, ...). Terminal: starting again cannot help until the spec changes. The reason is the status
/// reason, so clients can tell these apart without reading the message (islanderctl run exits 127 and 126, as
/// Docker and shells do).
/// </summary>
public sealed class IsleCommandException(string message, bool notFound, Exception? inner = null)
    : IslanderException(message, notFound ? ErrorCategory.NotFound : ErrorCategory.InvalidManifest, inner)
{
    public const string NotFoundReason = Reasons.CommandNotFound;
    public const string NotExecutableReason = Reasons.CommandNotExecutable;

    public string Reason => Category == ErrorCategory.NotFound ? NotFoundReason : NotExecutableReason;
}
