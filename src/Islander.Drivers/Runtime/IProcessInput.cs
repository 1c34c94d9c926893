namespace Islander.Drivers.Runtime;

/// <summary>
/// The input side of a process that runs with stdin or a terminal (an exec with <c>-i</c> / <c>-t</c>): what the
/// client types, the end of its input, and its terminal's size. Handed over once the process runs.
/// </summary>
public interface IProcessInput
{
    /// <summary>Whether the process has a stdin to write to (<c>-i</c>); without one, writes are dropped.</summary>
    bool HasStdin { get; }

    /// <summary>Whether the process's stdio is a terminal (<c>-t</c>); without one, resizes are ignored.</summary>
    bool HasTerminal { get; }

    /// <summary>
    /// Writes to the process's stdin (or terminal). Waits while the process does not read (its pipe or the terminal's
    /// input queue is full): back-pressure reaches the client, never a thread of the daemon.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> fired, or the process is gone.</exception>
    ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken ct);

    /// <summary>
    /// Ends the input: the stdin pipe is closed (the process reads EOF). With a terminal nothing is closed: an EOF there
    /// is the Ctrl-D the client sends as a byte, which the terminal's line discipline turns into one.
    /// </summary>
    void CloseInput();

    /// <summary>Sets the terminal's size (<c>TIOCSWINSZ</c> on its master: the process gets SIGWINCH).</summary>
    void Resize(ushort rows, ushort cols);
}

/// <summary>Called once the process runs (its execve succeeded), before any of its output is handed over.</summary>
public delegate ValueTask ExecStarted(IProcessInput input, CancellationToken ct);
