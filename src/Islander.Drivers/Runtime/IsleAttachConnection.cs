using System.Buffers.Binary;
using System.Net.Sockets;
using Islander.Model;

namespace Islander.Drivers.Runtime;

/// <summary>
/// One connection to the attach socket of an isle's shim (<see cref="RuntimePaths.AttachSocket"/>), for an isle whose
/// spec asks for <c>stdin</c> or <c>tty</c>: the shim holds the isle's PTY master or the writing end of its stdin and
/// copies the isle's output to every connection besides its log. <c>SOCK_SEQPACKET</c>: one message is one frame
/// (Docker's header: u8 stream, 3 zero bytes, u32 big-endian length, then the data), so no frame arrives in pieces.
/// From the shim: 1 stdout, 2 stderr (a terminal's output is all stdout), 3 exit (the status file's text, see
/// <see cref="IsleExitStatus.Parse"/>). To the shim: 0 stdin, 4 resize (u16 rows, u16 cols, big endian: the shim
/// parses no JSON), 5 stdin closed. Closing the connection detaches: the isle runs on.
/// </summary>
public sealed class IsleAttachConnection : IProcessInput, IDisposable
{
    /// <summary>The most data one frame carries either way (the shim's buffer: LOG_LINE_MAX in isle-init.c).</summary>
    public const int MaxData = 16384;

    const int HeaderSize = 8;
    readonly Socket _socket;
    readonly SemaphoreSlim _sending = new(1, 1);
    readonly byte[] _receive = new byte[HeaderSize + MaxData];

    IsleAttachConnection(Socket socket, bool stdin, bool tty) => (_socket, HasStdin, HasTerminal) = (socket, stdin, tty);

    /// <summary>Whether the isle's PID 1 keeps its stdin open for attach clients (the spec's <c>stdin</c>).</summary>
    public bool HasStdin { get; }

    /// <summary>Whether the isle's PID 1 runs on a terminal (the spec's <c>tty</c>).</summary>
    public bool HasTerminal { get; }

    /// <summary>Connects to the shim of isle <paramref name="name"/>.</summary>
    /// <exception cref="IslanderException">Conflict: no shim listens there (the isle has ended, or was started without stdin or a tty).</exception>
    public static async Task<IsleAttachConnection> ConnectAsync(string path, string name, bool stdin, bool tty, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), ct);
            return new IsleAttachConnection(socket, stdin, tty);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new IslanderException($"isle {name} has no terminal or stdin to attach to (its shim does not answer: {e.Message})", ErrorCategory.Conflict);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The next frame from the shim (stream byte and data, the caller's copy); null when the shim closed the connection.</summary>
    /// <exception cref="InvalidDataException">A message that is not a frame.</exception>
    public async ValueTask<(byte Stream, byte[] Data)?> ReceiveAsync(CancellationToken ct)
    {
        int n = await _socket.ReceiveAsync(_receive, SocketFlags.None, ct);
        if (n == 0)
            return null;
        if (n < HeaderSize || BinaryPrimitives.ReadUInt32BigEndian(_receive.AsSpan(4)) != n - HeaderSize)
            throw new InvalidDataException($"attach socket: a message of {n} bytes is not a frame");
        return (_receive[0], _receive.AsSpan(HeaderSize, n - HeaderSize).ToArray());
    }

    /// <summary>Bytes for the isle's stdin or terminal; waits while the shim does not take them (the isle does not read).</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        for (int i = 0; i < data.Length; i += MaxData)
            await SendAsync(0, data.Slice(i, Math.Min(MaxData, data.Length - i)), ct);
    }

    /// <summary>
    /// Ends the isle's stdin: the pipe is closed, or with a terminal its EOF character (Ctrl-D) is typed, which ends a
    /// read at the terminal as a typed Ctrl-D does.
    /// </summary>
    public void CloseInput() => Send(5, []);

    /// <summary>The terminal's size (TIOCSWINSZ on the master: the isle gets SIGWINCH).</summary>
    public void Resize(ushort rows, ushort cols)
    {
        var size = new byte[4];
        BinaryPrimitives.WriteUInt16BigEndian(size, rows);
        BinaryPrimitives.WriteUInt16BigEndian(size.AsSpan(2), cols);
        Send(4, size);
    }

    static byte[] Frame(byte stream, ReadOnlySpan<byte> data)
    {
        var frame = new byte[HeaderSize + data.Length];
        frame[0] = stream;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)data.Length);
        data.CopyTo(frame.AsSpan(HeaderSize));
        return frame;
    }

    /// <summary>A small control frame, at once: the shim reads one whenever it is not waiting for the isle to read stdin.</summary>
    void Send(byte stream, ReadOnlySpan<byte> data)
    {
        var frame = Frame(stream, data);
        _sending.Wait();
        try
        {
            _socket.Send(frame);
        }
        catch (SocketException e)
        {
            throw new IOException($"attach socket: {e.Message}", e); // the shim is gone: the isle has ended
        }
        finally
        {
            _sending.Release();
        }
    }

    async ValueTask SendAsync(byte stream, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        var frame = Frame(stream, data.Span);
        await _sending.WaitAsync(ct);
        try
        {
            await _socket.SendAsync(frame, SocketFlags.None, ct);
        }
        catch (SocketException e)
        {
            throw new IOException($"attach socket: {e.Message}", e); // the shim is gone: the isle has ended
        }
        finally
        {
            _sending.Release();
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        _sending.Dispose();
    }
}
