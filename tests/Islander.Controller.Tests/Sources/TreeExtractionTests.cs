using System.Formats.Tar;
using Islander.Controller.Sources;

namespace Islander.Controller.Tests.Sources;

/// <summary>
/// A revision's tree is written from <c>git archive</c>'s tar stream: a hostile stream (a link, then an entry through
/// it) must not write outside the tree, whatever git let into the repository.
/// </summary>
public sealed class TreeExtractionTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("islander-tree-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static async Task<MemoryStream> Tar(params TarEntry[] entries)
    {
        var stream = new MemoryStream();
        await using (var writer = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true))
            foreach (var e in entries) await writer.WriteEntryAsync(e);
        stream.Position = 0;
        return stream;
    }

    static PaxTarEntry File(string name, string text) =>
        new(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)) };

    [Fact]
    public async Task Extract_EntryBelowALinkTheTreeMade_RefusedAndNothingWrittenThroughIt()
    {
        var outside = Path.Combine(_dir, "outside");
        Directory.CreateDirectory(outside);
        var into = Path.Combine(_dir, "tree");
        Directory.CreateDirectory(into);
        using var tar = await Tar(new PaxTarEntry(TarEntryType.SymbolicLink, "a") { LinkName = outside }, File("a/evil.yaml", "x"));

        var e = await Assert.ThrowsAsync<SourceException>(() => GitRepositories.ExtractAsync(tar, into, TestContext.Current.CancellationToken));

        Assert.Contains("\"a/evil.yaml\" below the symbolic link \"a\"", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(outside));
    }

    [Fact]
    public async Task Extract_FilesAndALink_WrittenAsTheyAre()
    {
        var into = Path.Combine(_dir, "tree");
        Directory.CreateDirectory(into);
        using var tar = await Tar(new PaxTarEntry(TarEntryType.Directory, "hosts/"), File("hosts/web.yaml", "web"),
            new PaxTarEntry(TarEntryType.SymbolicLink, "hosts/current") { LinkName = "web.yaml" });

        await GitRepositories.ExtractAsync(tar, into, TestContext.Current.CancellationToken);

        Assert.Equal("web", await System.IO.File.ReadAllTextAsync(Path.Combine(into, "hosts/web.yaml"), TestContext.Current.CancellationToken));
        Assert.Equal("web.yaml", new FileInfo(Path.Combine(into, "hosts/current")).LinkTarget);
    }
}
