using System.Text.Json;
using System.Threading.Channels;
using Islander.Drivers.Runtime;
using Islander.Model.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Islander.Controller.Api;

/// <summary>
/// The daemon's side of an upgraded connection (<c>exec -i/-t</c>, attach), Docker's way: the client asks with
/// <c>Connection: Upgrade</c> and <c>Upgrade: tcp</c>, the daemon answers <c>101 Switching Protocols</c> once the process
/// runs, then both send <see cref="StreamFrame"/>s (<see cref="StreamKind"/>).
/// <para>The daemon never waits on a slow reader with a thread: the process's output is queued up to
/// <see cref="OutputChunks"/> chunks (the drivers read 16 KiB at most: 1 MiB), then <see cref="OutputAsync"/> waits, so
/// the reading of the process's pipe or terminal stops and the process itself blocks on a full pipe, as it would on a
/// slow terminal. One task sends the queue to the client.</para>
/// </summary>
public sealed class StreamSession : IDisposable
{
    public const int OutputChunks = 64;

    readonly Stream _stream;
    readonly StreamFrameWriter _writer;
    readonly Channel<(StreamKind Kind, byte[] Data)> _output = Channel.CreateBounded<(StreamKind, byte[])>(
        new BoundedChannelOptions(OutputChunks) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    readonly CancellationTokenSource _gone = new();
    readonly Task _sending;

    StreamSession(Stream stream)
    {
        _stream = stream;
        _writer = new StreamFrameWriter(stream);
        _sending = Task.Run(SendAsync, CancellationToken.None);
    }

    /// <summary>Whether the request asks for the upgrade (<c>Connection: Upgrade</c>, <c>Upgrade: tcp</c>).</summary>
    public static bool IsRequested(HttpContext context) =>
        context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true }
        && string.Equals(context.Request.Headers.Upgrade.ToString(), "tcp", StringComparison.OrdinalIgnoreCase);

    /// <summary>Answers 101 (Kestrel adds <c>Connection: Upgrade</c>) and takes the connection over.</summary>
    public static async Task<StreamSession> AcceptAsync(HttpContext context)
    {
        context.Response.Headers.Upgrade = "tcp";
        var stream = await context.Features.Get<IHttpUpgradeFeature>()!.UpgradeAsync();
        return new StreamSession(stream);
    }

    /// <summary>Fires when the client is gone: its connection ended, sent what is not the protocol, or could not be written to.</summary>
    public CancellationToken Gone => _gone.Token;

    /// <summary>Queues output for the client; waits while <see cref="OutputChunks"/> are queued.</summary>
    /// <exception cref="ChannelClosedException">The client is gone.</exception>
    public ValueTask OutputAsync(StreamKind kind, ReadOnlyMemory<byte> data, CancellationToken ct) =>
        _output.Writer.WriteAsync((kind, data.ToArray()), ct);

    /// <summary>
    /// Hands the client's frames to <paramref name="input"/> until the connection ends (then <see cref="Gone"/> fires):
    /// stdin, its end, resizes. Input for a process without stdin is dropped; a resize that is not a valid size is
    /// ignored, as is one for a process without a terminal. Runs in the background; never throws.
    /// </summary>
    public Task ReceiveAsync(IProcessInput input) => Task.Run(async () =>
    {
        var reader = new StreamFrameReader(_stream);
        bool writable = input.HasStdin;
        try
        {
            while (await reader.ReadAsync(_gone.Token) is { } frame)
            {
                switch (frame.Kind)
                {
                    case StreamKind.Stdin when writable:
                        try
                        {
                            await input.WriteAsync(frame.Data, _gone.Token);
                        }
                        catch (IOException)
                        {
                            writable = false; // the process closed its stdin or ended: the rest is dropped, as a pipe's reader gone
                        }
                        break;
                    case StreamKind.StdinClosed:
                        writable = false;
                        input.CloseInput();
                        break;
                    case StreamKind.Resize when input.HasTerminal:
                        if (JsonSerializer.Deserialize(frame.Data.Span, ApiJson.Context.TerminalSizeView) is { IsValid: true } size)
                            input.Resize((ushort)size.Rows, (ushort)size.Cols);
                        break;
                    case StreamKind.Stdout or StreamKind.Stderr or StreamKind.Exit:
                        throw new InvalidDataException($"stream frame: {frame.Kind} goes from the daemon to the client, not back");
                }
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or JsonException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away or broke the protocol: either way it is gone, and so is the process (see Gone).
        }
        _gone.Cancel();
    }, CancellationToken.None);

    /// <summary>Sends what output is queued, then the exit frame; the connection closes when the request ends.</summary>
    public async Task EndAsync(ExecFrameView exit)
    {
        _output.Writer.TryComplete();
        await _sending;
        if (_gone.IsCancellationRequested)
            return;
        try
        {
            await _writer.WriteJsonAsync(StreamKind.Exit, exit, ApiJson.Context.ExecFrameView, _gone.Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The client left before its exit frame.
        }
    }

    async Task SendAsync()
    {
        try
        {
            await foreach (var (kind, data) in _output.Reader.ReadAllAsync(_gone.Token))
                await _writer.WriteAsync(kind, data, _gone.Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            _gone.Cancel();
            _output.Writer.TryComplete(e); // the producer learns that nobody reads any more
        }
    }

    public void Dispose()
    {
        // _gone is not disposed: ReceiveAsync may still cancel it as the connection closes under it.
        _gone.Cancel();
        _writer.Dispose();
    }
}
