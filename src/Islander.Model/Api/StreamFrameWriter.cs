using System.Buffers;

namespace Islander.Model.Api;

/// <summary>
/// Writes frames of an upgraded connection (<see cref="StreamFrame"/>): each whole, header and data in one write, and
/// flushed. Safe from several tasks at once (stdin and resizes come from different places): frames never interleave.
/// Data over <see cref="StreamFrame.MaxData"/> goes as several frames of the same stream.
/// </summary>
public sealed class StreamFrameWriter(Stream stream) : IDisposable
{
    readonly SemaphoreSlim _lock = new(1, 1);

    public async ValueTask WriteAsync(StreamKind kind, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        await _lock.WaitAsync(ct);
        try
        {
            do
            {
                var part = data[..Math.Min(data.Length, StreamFrame.MaxData)];
                data = data[part.Length..];
                var buffer = ArrayPool<byte>.Shared.Rent(StreamFrame.HeaderSize + part.Length);
                try
                {
                    StreamFrame.WriteHeader(buffer, kind, part.Length);
                    part.CopyTo(buffer.AsMemory(StreamFrame.HeaderSize));
                    await stream.WriteAsync(buffer.AsMemory(0, StreamFrame.HeaderSize + part.Length), ct);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
            while (!data.IsEmpty);
            await stream.FlushAsync(ct);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>A frame whose data is JSON (exit, resize).</summary>
    public ValueTask WriteJsonAsync<T>(StreamKind kind, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken ct) =>
        WriteAsync(kind, System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(value, type), ct);

    public void Dispose() => _lock.Dispose();
}
