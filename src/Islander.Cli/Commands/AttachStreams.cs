using System.Globalization;
using Islander.Cli.Api;
using Islander.Cli.Terminal;

namespace Islander.Cli.Commands;

/// <summary>
/// An attach to an isle's PID 1 (<c>islanderctl attach</c>, <c>run -i</c>/<c>-it</c>) over an upgraded connection, with
/// exec's client (<see cref="UpgradedConnection"/>, <see cref="StreamClient"/>): with a terminal this one goes raw for
/// the session and its size follows into the isle's; the detach keys (Docker's Ctrl-P Ctrl-Q) leave the isle running.
/// </summary>
sealed record AttachStreams(string Isle, bool Interactive, bool Tty, string DetachKeysText)
{
    const int Stdin = 0, Stdout = 1;

    /// <summary>Docker's words when <c>-t</c> meets a stdin that is not a terminal: raw mode and sizes need one.</summary>
    public static ClientException NotATty(string instead) =>
        new($"the input device is not a TTY; -t needs a terminal on islanderctl's stdin: run it in one, or {instead}", "BadRequest");

    /// <summary>Runs the session to its end: the isle's exit, the detach keys, or the connection lost.</summary>
    /// <exception cref="ClientException">Bad detach keys, <c>-t</c> without a terminal, or islanderd's answer (404, 409, ...).</exception>
    public async Task<StreamEnd> RunAsync(string socketPath, TextWriter output, TextWriter error, CancellationToken ct)
    {
        DetachKeys keys;
        try
        {
            keys = DetachKeys.Parse(DetachKeysText);
        }
        catch (FormatException e)
        {
            throw new ClientException(e.Message, "BadRequest");
        }
        if (Tty && Interactive && !TerminalInterop.IsTerminal(Stdin))
            throw NotATty("attach without stdin: --no-stdin");
        var size = Tty ? TerminalInterop.Size(Stdout) ?? TerminalInterop.Size(Stdin) : null;
        string path = $"apis/islander.io/v1/isles/{Uri.EscapeDataString(Isle)}/attach"
            + (size is { } s ? string.Create(CultureInfo.InvariantCulture, $"?rows={s.Rows}&cols={s.Cols}") : "");
        await using var connection = await UpgradedConnection.OpenAsync(socketPath, path, ct);
        using var raw = Tty && Interactive ? RawTerminal.Enter(Stdin) : null;
        var end = await StreamClient.RunAsync(connection, new StreamClientOptions
        {
            Input = Interactive ? StreamClient.StandardInput() : null,
            Stdout = ExecStreams.Writer(output, Console.Out, Console.OpenStandardOutput),
            Stderr = ExecStreams.Writer(error, Console.Error, Console.OpenStandardError),
            Tty = Tty,
            SizeOf = () => TerminalInterop.Size(Stdout) ?? TerminalInterop.Size(Stdin),
            DetachKeys = Tty && Interactive ? keys : null,
        }, ct);
        raw?.Restore();
        return end;
    }

    /// <summary>The exit code an ended session stands for (128 + signal, as a shell); null when it did not end with one.</summary>
    public static int? ExitCode(StreamEnd end) =>
        end.Exit is { Message: null } exit ? exit.Signal is > 0 ? 128 + exit.Signal.Value : exit.ExitCode ?? 0 : null;
}
