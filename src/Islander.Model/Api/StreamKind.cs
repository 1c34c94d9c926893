namespace Islander.Model.Api;

/// <summary>
/// The stream a frame of an upgraded exec or attach connection belongs to: the first byte of Docker's multiplexed-stream
/// header (0 stdin, 1 stdout, 2 stderr), and islander's own kinds after them. See <see cref="StreamFrameWriter"/>.
/// </summary>
public enum StreamKind : byte
{
    /// <summary>Client → daemon: bytes for the process's stdin (or its terminal).</summary>
    Stdin = 0,

    /// <summary>Daemon → client: the process's stdout; with a terminal, everything it writes.</summary>
    Stdout = 1,

    /// <summary>Daemon → client: the process's stderr (never with a terminal).</summary>
    Stderr = 2,

    /// <summary>Daemon → client, last: JSON <see cref="ExecFrameView"/> with the exit code and signal; the daemon then closes.</summary>
    Exit = 3,

    /// <summary>Client → daemon: JSON <see cref="TerminalSizeView"/>, the terminal's new size.</summary>
    Resize = 4,

    /// <summary>Client → daemon, no data: stdin ended (EOF), the process's stdin is closed.</summary>
    StdinClosed = 5,
}
