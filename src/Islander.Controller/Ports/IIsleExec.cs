using Islander.Drivers.Runtime;

namespace Islander.Controller.Ports;

/// <summary>
/// Runs one more process in a running isle (<c>islanderctl exec</c>): in its namespaces and cgroup, with its init's
/// confinement, environment and user unless <see cref="ExecRequest"/> says otherwise. Fake:
/// <c>tests/Islander.Testing/Fakes/FakeIsleRuntime</c>.
/// </summary>
public interface IIsleExec
{
    /// <summary>
    /// Starts the command, calls <paramref name="started"/> (when given) with its input once it runs (stdin,
    /// terminal size: <see cref="ExecRequest.Stdin"/>, <see cref="ExecRequest.Tty"/>), hands its stdout and stderr
    /// (with a terminal, all is stdout) to <paramref name="output"/> as they come, and returns how it
    /// ended. Cancelling kills the process and then throws <see cref="OperationCanceledException"/>; the process also
    /// dies with the isle. Nothing of it outlives the call.
    /// </summary>
    /// <exception cref="Islander.Model.IslanderException">Conflict: the isle is not running; NotFound: a user the isle does not know.</exception>
    /// <exception cref="IsleExecException">The command could not be run (<see cref="IsleExecException.CommandFailed"/>: not found, not executable) or isle-init failed.</exception>
    Task<ExecResult> ExecAsync(string name, ExecRequest request, ExecOutput output, ExecStarted? started, CancellationToken cancellationToken);
}
