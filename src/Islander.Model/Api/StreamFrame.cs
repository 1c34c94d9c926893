namespace Islander.Model.Api;

/// <summary>One frame of an upgraded connection: its stream and its data (empty for <see cref="StreamKind.StdinClosed"/>).</summary>
public readonly record struct StreamFrame(StreamKind Kind, ReadOnlyMemory<byte> Data)
{
    /// <summary>
    /// Docker's multiplexed-stream header: 1 byte stream, 3 zero bytes, the data's length as a big-endian uint32.
    /// </summary>
    public const int HeaderSize = 8;

    /// <summary>
    /// The largest frame either side accepts (1 MiB). Writers split larger data; a reader refuses a larger length rather
    /// than allocate what a broken or hostile peer announces.
    /// </summary>
    public const int MaxData = 1 << 20;

    /// <summary>Writes the header of a frame of <paramref name="length"/> bytes of <paramref name="kind"/> into <paramref name="header"/>.</summary>
    public static void WriteHeader(Span<byte> header, StreamKind kind, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, MaxData);
        header[0] = (byte)kind;
        header[1] = header[2] = header[3] = 0;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(header[4..], (uint)length);
    }

    /// <summary>The stream and length a header announces.</summary>
    /// <exception cref="InvalidDataException">An unknown stream, padding that is not zero, or a length over <see cref="MaxData"/>.</exception>
    public static (StreamKind Kind, int Length) ReadHeader(ReadOnlySpan<byte> header)
    {
        if (header[0] > (byte)StreamKind.StdinClosed)
            throw new InvalidDataException($"stream frame: unknown stream {header[0]} (known: 0 stdin, 1 stdout, 2 stderr, 3 exit, 4 resize, 5 stdin closed)");
        if (header[1] != 0 || header[2] != 0 || header[3] != 0)
            throw new InvalidDataException("stream frame: bytes 1-3 of the header must be zero; the peer does not speak the multiplexed-stream protocol");
        uint length = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(header[4..]);
        if (length > MaxData)
            throw new InvalidDataException($"stream frame: {length} bytes announced, more than the {MaxData} a frame may hold");
        return ((StreamKind)header[0], (int)length);
    }
}
