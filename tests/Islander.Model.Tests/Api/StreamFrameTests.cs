using Islander.Model.Api;

namespace Islander.Model.Tests.Api;

public sealed class StreamFrameTests
{
    /// <summary>A stream that hands out at most <paramref name="chunk"/> bytes per read, as a socket may.</summary>
    sealed class Trickle(byte[] data, int chunk) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], ct);
    }

    static async Task<byte[]> WriteAsync(params (StreamKind Kind, byte[] Data)[] frames)
    {
        using var ms = new MemoryStream();
        using var writer = new StreamFrameWriter(ms);
        foreach (var (kind, data) in frames)
            await writer.WriteAsync(kind, data, TestContext.Current.CancellationToken);
        return ms.ToArray();
    }

    [Fact]
    public async Task WriteAsync_Header_IsDockersMultiplexedHeader()
    {
        var bytes = await WriteAsync((StreamKind.Stderr, "abc"u8.ToArray()));

        Assert.Equal(new byte[] { 2, 0, 0, 0, 0, 0, 0, 3, (byte)'a', (byte)'b', (byte)'c' }, bytes);
    }

    [Fact]
    public async Task ReadAsync_PartialReads_FramesWholeThenNullAtTheEnd()
    {
        var bytes = await WriteAsync((StreamKind.Stdout, "hello"u8.ToArray()), (StreamKind.StdinClosed, []), (StreamKind.Resize, """{"rows":2,"cols":3}"""u8.ToArray()));
        var reader = new StreamFrameReader(new Trickle(bytes, 1));
        var ct = TestContext.Current.CancellationToken;

        var a = await reader.ReadAsync(ct);
        var b = await reader.ReadAsync(ct);
        var c = await reader.ReadAsync(ct);

        Assert.Equal(StreamKind.Stdout, a!.Value.Kind);
        Assert.Equal("hello"u8.ToArray(), a.Value.Data.ToArray());
        Assert.Equal(StreamKind.StdinClosed, b!.Value.Kind);
        Assert.True(b.Value.Data.IsEmpty);
        Assert.Equal(StreamKind.Resize, c!.Value.Kind);
        Assert.Null(await reader.ReadAsync(ct));
    }

    [Fact]
    public async Task WriteAsync_LargerThanAFrame_SplitIntoFramesOfTheSameStreamThatReadBackWhole()
    {
        var data = new byte[StreamFrame.MaxData * 2 + 5];
        new Random(1).NextBytes(data);
        var bytes = await WriteAsync((StreamKind.Stdin, data));
        var reader = new StreamFrameReader(new Trickle(bytes, 7000));
        var back = new List<byte>();
        int frames = 0;

        while (await reader.ReadAsync(TestContext.Current.CancellationToken) is { } f)
        {
            Assert.Equal(StreamKind.Stdin, f.Kind);
            back.AddRange(f.Data.ToArray());
            frames++;
        }

        Assert.Equal(3, frames);
        Assert.Equal(data, back.ToArray());
    }

    [Theory]
    [InlineData(new byte[] { 9, 0, 0, 0, 0, 0, 0, 0 }, "unknown stream 9")]
    [InlineData(new byte[] { 1, 0, 1, 0, 0, 0, 0, 0 }, "must be zero")]
    [InlineData(new byte[] { 1, 0, 0, 0, 0x7f, 0, 0, 0 }, "more than the")]
    public async Task ReadAsync_BadHeader_InvalidDataSaysWhat(byte[] header, string message)
    {
        var reader = new StreamFrameReader(new MemoryStream(header));

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => reader.ReadAsync(TestContext.Current.CancellationToken).AsTask());

        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData(3)]  // inside the header
    [InlineData(10)] // inside the data
    public async Task ReadAsync_EndsInsideAFrame_EndOfStream(int cut)
    {
        var bytes = await WriteAsync((StreamKind.Stdout, "hello"u8.ToArray()));
        var reader = new StreamFrameReader(new MemoryStream(bytes[..cut]));

        await Assert.ThrowsAsync<EndOfStreamException>(() => reader.ReadAsync(TestContext.Current.CancellationToken).AsTask());
    }
}
