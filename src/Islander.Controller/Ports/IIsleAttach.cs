using Islander.Drivers.Runtime;

namespace Islander.Controller.Ports;

/// <summary>
/// Attaches to a running isle's PID 1 (<c>islanderctl attach</c>, <c>run -i</c>/<c>-it</c>): its shim, which holds the
/// isle's terminal or stdin, copies its output to the connection and takes its input. Only the real runtime has it.
/// </summary>
public interface IIsleAttach
{
    /// <summary>Connects to the shim; disposing the connection detaches, the isle runs on.</summary>
    /// <exception cref="Islander.Model.IslanderException">Conflict: the isle is not running, or has neither stdin nor a tty.</exception>
    Task<IsleAttachConnection> AttachAsync(string name, bool stdin, bool tty, CancellationToken cancellationToken);
}
