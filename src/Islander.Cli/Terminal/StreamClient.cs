using System.Runtime.InteropServices;
using System.Text.Json;
using Islander.Model.Api;
using Microsoft.Win32.SafeHandles;

namespace Islander.Cli.Terminal;

/// <summary>
/// The client's side of an upgraded connection (<see cref="UpgradedConnection"/>, the frames of <see cref="StreamKind"/>):
/// what it reads from <see cref="StreamClientOptions.Input"/> goes as stdin frames (its end as a stdin-closed frame),
/// each change of the terminal's size (SIGWINCH) as a resize frame, and the process's stdout and stderr frames are
/// written out as they come, until the exit frame. Used by <c>exec -i/-t</c> (and attach).
/// </summary>
public static class StreamClient
{
    /// <summary>Runs the session to its end: the exit frame, the detach keys, or the connection lost.</summary>
    public static async Task<StreamEnd> RunAsync(Stream connection, StreamClientOptions options, CancellationToken ct)
    {
        using var writer = new StreamFrameWriter(connection);
        using var done = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var detached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        PosixSignalRegistration? winch = null;
        if (options.Tty && options.SizeOf is { } sizeOf)
            winch = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, context =>
            {
                context.Cancel = true;
                if (sizeOf() is { } size)
                    _ = SendQuietlyAsync(writer, StreamKind.Resize, JsonSerializer.SerializeToUtf8Bytes(new TerminalSizeView(size.Rows, size.Cols), ApiJson.Context.TerminalSizeView), done.Token);
            });
        try
        {
            if (options.Input is { } input)
            {
                var thread = new Thread(() => PumpInput(input, options.DetachKeys, writer, detached, done.Token))
                {
                    IsBackground = true, // a read of a terminal cannot be cancelled: it must not keep islanderctl alive
                    Name = "islanderctl stdin",
                };
                thread.Start();
            }
            var reading = ReadAsync(connection, options, done.Token);
            var first = await Task.WhenAny(reading, detached.Task);
            if (first == detached.Task)
                return StreamEnd.Detached;
            return await reading;
        }
        finally
        {
            winch?.Dispose();
            await done.CancelAsync();
        }
    }

    static async Task<StreamEnd> ReadAsync(Stream connection, StreamClientOptions options, CancellationToken ct)
    {
        var reader = new StreamFrameReader(connection);
        try
        {
            while (await reader.ReadAsync(ct) is { } frame)
            {
                switch (frame.Kind)
                {
                    case StreamKind.Stdout:
                        await options.Stdout.WriteAsync(frame.Data, ct);
                        await options.Stdout.FlushAsync(ct);
                        break;
                    case StreamKind.Stderr:
                        await options.Stderr.WriteAsync(frame.Data, ct);
                        await options.Stderr.FlushAsync(ct);
                        break;
                    case StreamKind.Exit:
                        return StreamEnd.Exited(JsonSerializer.Deserialize(frame.Data.Span, ApiJson.Context.ExecFrameView)!);
                }
            }
        }
        catch (IOException) when (!ct.IsCancellationRequested)
        {
            // The daemon went away mid-stream: reported as lost.
        }
        return StreamEnd.Lost;
    }

    /// <summary>Reads the input on its own thread (a blocking read) and sends it; its end as a stdin-closed frame.</summary>
    static void PumpInput(Stream input, DetachKeys? keys, StreamFrameWriter writer, TaskCompletionSource detached, CancellationToken ct)
    {
        var buffer = new byte[32 * 1024];
        try
        {
            while (!ct.IsCancellationRequested)
            {
                int n = input.Read(buffer);
                if (n == 0)
                    break;
                var (forward, detach) = keys is null ? (buffer[..n], false) : keys.Scan(buffer.AsSpan(0, n));
                if (forward.Length > 0)
                    writer.WriteAsync(StreamKind.Stdin, forward, ct).AsTask().GetAwaiter().GetResult();
                if (detach)
                {
                    detached.TrySetResult();
                    return;
                }
            }
            writer.WriteAsync(StreamKind.StdinClosed, ReadOnlyMemory<byte>.Empty, ct).AsTask().GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The session ended (or the connection broke): the reader side reports how.
        }
    }

    static async Task SendQuietlyAsync(StreamFrameWriter writer, StreamKind kind, byte[] data, CancellationToken ct)
    {
        try
        {
            await writer.WriteAsync(kind, data, ct);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The session is ending: a resize no longer matters.
        }
    }

    /// <summary>islanderctl's own stdin as a stream of raw bytes (fd 0, unbuffered, not Console.In's decoding).</summary>
    public static Stream StandardInput() => new FileStream(new SafeFileHandle(0, ownsHandle: false), FileAccess.Read, bufferSize: 0);
}

/// <summary>What <see cref="StreamClient.RunAsync"/> does with the session.</summary>
public sealed record StreamClientOptions
{
    /// <summary>Sent as stdin frames; null: the process gets no input from here.</summary>
    public Stream? Input { get; init; }

    public required Stream Stdout { get; init; }

    public required Stream Stderr { get; init; }

    /// <summary>Whether the process has a terminal: SIGWINCH then sends resize frames of <see cref="SizeOf"/>.</summary>
    public bool Tty { get; init; }

    /// <summary>The local terminal's size now (rows, cols), or null.</summary>
    public Func<(int Rows, int Cols)?>? SizeOf { get; init; }

    /// <summary>The keys that end the session without ending the process's input (<see cref="DetachKeys"/>); null: none.</summary>
    public DetachKeys? DetachKeys { get; init; }
}

/// <summary>How a session ended: the process's end (<see cref="Exit"/>), the detach keys, or the connection lost.</summary>
public sealed record StreamEnd(ExecFrameView? Exit, bool IsDetached)
{
    public static StreamEnd Exited(ExecFrameView exit) => new(exit, false);

    public static readonly StreamEnd Detached = new(null, true);

    public static readonly StreamEnd Lost = new(null, false);
}
