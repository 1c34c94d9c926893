namespace Islander.Model.Api;

/// <summary>
/// Reads the frames of an upgraded connection (<see cref="StreamFrame"/>) from a stream, however the bytes are split:
/// a header or data that arrives in pieces is put together. Not thread-safe: one reader per stream.
/// </summary>
public sealed class StreamFrameReader(Stream stream)
{
    readonly byte[] _header = new byte[StreamFrame.HeaderSize];

    /// <summary>The next frame; null when the stream ends cleanly between frames. Its data is a new array, the caller's.</summary>
    /// <exception cref="EndOfStreamException">The stream ended inside a frame.</exception>
    /// <exception cref="InvalidDataException">A header that is not the protocol's (<see cref="StreamFrame.ReadHeader"/>).</exception>
    public async ValueTask<StreamFrame?> ReadAsync(CancellationToken ct)
    {
        int got = await FillAsync(_header, ct);
        if (got == 0)
            return null;
        if (got < _header.Length)
            throw new EndOfStreamException($"stream frame: the connection ended after {got} of the header's {StreamFrame.HeaderSize} bytes");
        var (kind, length) = StreamFrame.ReadHeader(_header);
        var data = length == 0 ? [] : new byte[length];
        got = await FillAsync(data, ct);
        if (got < length)
            throw new EndOfStreamException($"stream frame: the connection ended after {got} of a {kind} frame's {length} bytes");
        return new StreamFrame(kind, data);
    }

    async ValueTask<int> FillAsync(Memory<byte> buffer, CancellationToken ct)
    {
        int got = 0;
        while (got < buffer.Length)
        {
            int n = await stream.ReadAsync(buffer[got..], ct);
            if (n == 0)
                break;
            got += n;
        }
        return got;
    }
}
