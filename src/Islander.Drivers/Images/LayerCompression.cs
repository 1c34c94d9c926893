using System.IO.Compression;

namespace Islander.Drivers.Images;

/// <summary>Layer compression, recognised by its magic bytes rather than trusted from the media type.</summary>
public static class LayerCompression
{
    public static CompressionKind Detect(ReadOnlySpan<byte> head) => head switch
    {
        [0x1f, 0x8b, ..] => CompressionKind.Gzip,
        [0x28, 0xb5, 0x2f, 0xfd, ..] => CompressionKind.Zstd,
        _ => CompressionKind.None,
    };

    /// <summary>The uncompressed tar stream of a seekable (compressed or not) layer or archive.</summary>
    public static Stream OpenDecompressed(Stream source, bool leaveOpen = false)
    {
        if (!source.CanSeek)
            throw new ArgumentException("layer streams are read from files (seekable)", nameof(source));
        Span<byte> head = stackalloc byte[4];
        long start = source.Position;
        int n = source.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        source.Position = start;
        return Detect(head[..n]) switch
        {
            CompressionKind.Gzip => new GZipStream(source, CompressionMode.Decompress, leaveOpen),
            CompressionKind.Zstd => new ZstdSharp.DecompressionStream(source, leaveOpen: leaveOpen),
            _ => leaveOpen ? new NonClosingStream(source) : source,
        };
    }

    sealed class NonClosingStream(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override int Read(Span<byte> buffer) => inner.Read(buffer);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
