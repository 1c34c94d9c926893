using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace Islander.Drivers.Tests.Images;

/// <summary>Builds tar archives in memory, hostile ones included (TarWriter does not sanitize names).</summary>
public sealed class TestTar
{
    readonly MemoryStream buffer = new();
    readonly TarWriter writer;

    public TestTar() => writer = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true);

    public TestTar Dir(string name, UnixFileMode mode = (UnixFileMode)0b111_101_101, int uid = 0, int gid = 0) =>
        Add(new PaxTarEntry(TarEntryType.Directory, name) { Mode = mode, Uid = uid, Gid = gid });

    public TestTar File(string name, string text = "", UnixFileMode mode = (UnixFileMode)0b110_100_100, int uid = 0, int gid = 0,
        DateTimeOffset? mtime = null, IEnumerable<KeyValuePair<string, string>>? pax = null)
    {
        var entry = pax is null ? new PaxTarEntry(TarEntryType.RegularFile, name) : new PaxTarEntry(TarEntryType.RegularFile, name, pax);
        entry.Mode = mode;
        entry.Uid = uid;
        entry.Gid = gid;
        if (mtime is { } t)
            entry.ModificationTime = t;
        entry.DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text));
        return Add(entry);
    }

    public TestTar Symlink(string name, string target) => Add(new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = target });

    public TestTar HardLink(string name, string target) => Add(new PaxTarEntry(TarEntryType.HardLink, name) { LinkName = target });

    public TestTar CharDevice(string name, int major, int minor) =>
        Add(new PaxTarEntry(TarEntryType.CharacterDevice, name) { DeviceMajor = major, DeviceMinor = minor, Mode = (UnixFileMode)0b110_110_110 });

    public TestTar BlockDevice(string name, int major, int minor) =>
        Add(new PaxTarEntry(TarEntryType.BlockDevice, name) { DeviceMajor = major, DeviceMinor = minor, Mode = (UnixFileMode)0b110_110_000 });

    TestTar Add(TarEntry entry)
    {
        writer.WriteEntry(entry);
        return this;
    }

    public byte[] Bytes()
    {
        writer.Dispose();
        return buffer.ToArray();
    }

    public static byte[] Gzip(byte[] tar)
    {
        var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
            gz.Write(tar);
        return output.ToArray();
    }

    public static byte[] Zstd(byte[] tar)
    {
        using var compressor = new ZstdSharp.Compressor(3);
        return compressor.Wrap(tar).ToArray();
    }
}

/// <summary>A temporary directory removed after the test.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "islander-test-" + Guid.NewGuid().ToString("N")[..12]);

    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    public void Dispose()
    {
        if (Directory.Exists(Path))
            Directory.Delete(Path, recursive: true);
    }
}
