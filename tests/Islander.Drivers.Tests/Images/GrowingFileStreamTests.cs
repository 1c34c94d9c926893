using Islander.Drivers.Images;

namespace Islander.Drivers.Tests.Images;

public sealed class GrowingFileStreamTests : IDisposable
{
    readonly string _path = Path.Combine(Path.GetTempPath(), $"islander-growing-{Guid.NewGuid():N}");

    public void Dispose() => File.Delete(_path);

    /// <summary>As the unpacker reads (Stream.CopyTo would ask for a Length, which a growing file does not have).</summary>
    static byte[] ReadToEnd(Stream stream)
    {
        using var copy = new MemoryStream();
        var buffer = new byte[8192];
        int n;
        while ((n = stream.Read(buffer)) > 0)
            copy.Write(buffer, 0, n);
        return copy.ToArray();
    }

    [Fact]
    public async Task Read_WhileWritten_GetsEveryByteThenEndOnlyAfterComplete()
    {
        var data = new byte[300_000];
        new Random(1).NextBytes(data);
        using var growing = new GrowingFileStream(_path);
        var reader = Task.Run(() => ReadToEnd(growing), TestContext.Current.CancellationToken);

        // The writer holds the file as the download does (FileShare.None: .NET's exclusive flock).
        await using (var file = new FileStream(_path, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            for (int off = 0; off < data.Length; off += 100_000)
            {
                await Task.Delay(20, TestContext.Current.CancellationToken);
                Assert.False(reader.IsCompleted); // no end of stream before the writer completes
                await file.WriteAsync(data.AsMemory(off, 100_000), TestContext.Current.CancellationToken);
                await file.FlushAsync(TestContext.Current.CancellationToken);
                growing.Written();
            }
        }
        growing.Complete();

        Assert.Equal(data, await reader.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Read_WriterFails_ReaderGetsIOExceptionNamingTheCause()
    {
        File.WriteAllBytes(_path, [1, 2, 3]);
        using var growing = new GrowingFileStream(_path);
        var reader = Task.Run(() => ReadToEnd(growing), TestContext.Current.CancellationToken);

        await Task.Delay(20, TestContext.Current.CancellationToken);
        growing.Fail(new HttpRequestException("connection reset"));

        var e = await Assert.ThrowsAsync<IOException>(() => reader.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        Assert.Contains("connection reset", e.Message);
    }

    [Fact]
    public void Position_SetBackAfterSniffing_ReadsFromThere()
    {
        File.WriteAllBytes(_path, [1, 2, 3, 4, 5]);
        using var growing = new GrowingFileStream(_path);
        growing.Complete();

        var head = new byte[4];
        growing.ReadExactly(head);
        growing.Position = 0;

        Assert.Equal(1, growing.ReadByte());
    }

    [Fact]
    public async Task Read_FileNotCreatedYet_WaitsForIt()
    {
        using var growing = new GrowingFileStream(_path);
        var reader = Task.Run(() => growing.ReadByte(), TestContext.Current.CancellationToken);

        await Task.Delay(20, TestContext.Current.CancellationToken);
        File.WriteAllBytes(_path, [42]);
        growing.Written();

        Assert.Equal(42, await reader.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
    }
}
