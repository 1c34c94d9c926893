using System.Globalization;
using Islander.Cli.Api;
using Islander.Cli.Terminal;
using Islander.Model.Api;

namespace Islander.Cli.Commands;

/// <summary>
/// <c>exec -i</c> / <c>-t</c>: the exec over an upgraded connection (<see cref="UpgradedConnection"/>,
/// <see cref="StreamClient"/>). With <c>-it</c> this terminal goes raw for the session and its size follows into the
/// isle's; Ctrl-C and Ctrl-D are bytes for the isle's terminal, which makes them SIGINT and EOF there. The detach keys
/// end the session; the command is then killed, as when its terminal is closed (Docker leaves an exec running, with no
/// way back to it: a process nobody can reach again is not kept here; run it with <c>nohup</c> or as an isle instead).
/// </summary>
sealed record ExecStreams(string Isle, IReadOnlyList<string> Command, IReadOnlyList<string> Env, string? User, string? WorkingDir,
    bool Interactive, bool Tty, string DetachKeysText)
{
    const int Stdin = 0, Stdout = 1;

    public async Task<int> RunAsync(string socketPath, TextWriter output, TextWriter error, CancellationToken ct)
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
        bool inTerminal = TerminalInterop.IsTerminal(Stdin);
        if (Tty && Interactive && !inTerminal)
            throw new ClientException("the input device is not a TTY; -t needs a terminal on islanderctl's stdin: run it in one, or leave -t out (e.g. echo text | islanderctl exec -i NAME -- cat)", "BadRequest");
        var size = Tty ? TerminalInterop.Size(Stdout) ?? TerminalInterop.Size(Stdin) : null;
        await using var connection = await UpgradedConnection.OpenAsync(socketPath, Path(size), ct);
        // Raw only once the process runs: an error before it prints as usual.
        using var raw = Tty && Interactive ? RawTerminal.Enter(Stdin) : null;
        var end = await StreamClient.RunAsync(connection, new StreamClientOptions
        {
            Input = Interactive ? StreamClient.StandardInput() : null,
            Stdout = Writer(output, Console.Out, Console.OpenStandardOutput),
            Stderr = Writer(error, Console.Error, Console.OpenStandardError),
            Tty = Tty,
            SizeOf = () => TerminalInterop.Size(Stdout) ?? TerminalInterop.Size(Stdin),
            DetachKeys = Tty && Interactive ? keys : null,
        }, ct);
        raw?.Restore();
        if (end.IsDetached)
            return 0;
        if (end.Exit is not { } exit)
            throw new ClientException($"islanderd ended the exec in {Isle} without its exit status", "Unavailable", 125);
        if (exit.Message is { } message)
            throw new ClientException(message, exit.Reason ?? "Error", exit.ExitCode ?? 125);
        return exit.Signal is > 0 ? 128 + exit.Signal.Value : exit.ExitCode ?? 0;
    }

    string Path((int Rows, int Cols)? size)
    {
        var query = new List<string>();
        query.AddRange(Command.Select(c => "command=" + Uri.EscapeDataString(c)));
        query.AddRange(Env.Select(e => "env=" + Uri.EscapeDataString(e)));
        if (User is not null) query.Add("user=" + Uri.EscapeDataString(User));
        if (WorkingDir is not null) query.Add("workingDir=" + Uri.EscapeDataString(WorkingDir));
        query.Add("stdin=" + (Interactive ? "true" : "false"));
        query.Add("tty=" + (Tty ? "true" : "false"));
        if (size is { } s)
            query.Add(string.Create(CultureInfo.InvariantCulture, $"rows={s.Rows}&cols={s.Cols}"));
        return $"apis/islander.io/v1/isles/{Uri.EscapeDataString(Isle)}/exec?{string.Join('&', query)}";
    }

    /// <summary>The process's own stdout/stderr as raw bytes; a writer given by a test, as UTF-8 text.</summary>
    internal static Stream Writer(TextWriter writer, TextWriter console, Func<Stream> open) =>
        ReferenceEquals(writer, console) ? open() : new TextWriterStream(writer);

    sealed class TextWriterStream(TextWriter writer) : Stream
    {
        readonly System.Text.Decoder _decoder = System.Text.Encoding.UTF8.GetDecoder();

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => writer.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            var chars = new char[_decoder.GetCharCount(buffer, offset, count, flush: false)];
            _decoder.GetChars(buffer, offset, count, chars, 0, flush: false);
            writer.Write(chars);
        }
    }
}
