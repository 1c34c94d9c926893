using Islander.Drivers.Storage;

namespace Islander.Drivers.Tests.Storage;

/// <summary>
/// A config file named by a tree whose author is hostile (a git repository's): nothing outside the tree is read, whatever
/// the path or the symlinks say, and no special file blocks or is opened.
/// </summary>
public sealed class TreeFilesTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("islander-tree-").FullName;
    readonly string _tree;

    public TreeFilesTests()
    {
        _tree = Directory.CreateDirectory(Path.Combine(_dir, "tree")).FullName;
        Directory.CreateDirectory(Path.Combine(_tree, "conf"));
        File.WriteAllText(Path.Combine(_tree, "conf", "app.conf"), "inside\n");
        File.WriteAllText(Path.Combine(_dir, "secret"), "outside\n"); // beside the tree: must never be read
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    TreeFileRead Read(string relative, int max = 1 << 20)
    {
        using var root = TreeFiles.OpenRoot(_tree);
        return TreeFiles.Read(root, relative, max, relative);
    }

    [Theory]
    [InlineData("conf/app.conf")]
    [InlineData("conf/../conf/app.conf")] // ".." that stays inside
    public void Read_FileInside_Content(string relative) =>
        Assert.Equal("inside\n", System.Text.Encoding.UTF8.GetString(Read(relative).Content!));

    [Fact]
    public void Read_RelativeSymlinkInside_Followed()
    {
        File.CreateSymbolicLink(Path.Combine(_tree, "link.conf"), "conf/app.conf");

        Assert.Equal("inside\n", System.Text.Encoding.UTF8.GetString(Read("link.conf").Content!));
    }

    [Theory]
    [InlineData("../secret")]
    [InlineData("conf/../../secret")]
    public void Read_DotDotOut_Refused(string relative) => AssertRefused(Read(relative), "leads out of the manifests' tree");

    [Theory]
    [InlineData("../secret")]    // relative, out
    [InlineData("/etc/passwd")]  // absolute: out, whatever it names
    [InlineData("PLACEHOLDER")]  // absolute, to the very file beside the tree
    public void Read_SymlinkOut_Refused(string target)
    {
        File.CreateSymbolicLink(Path.Combine(_tree, "evil.conf"), target == "PLACEHOLDER" ? Path.Combine(_dir, "secret") : target);

        AssertRefused(Read("evil.conf"), "leads out of the manifests' tree");
    }

    [Fact]
    public void Read_DirectorySymlinkOut_Refused()
    {
        Directory.CreateSymbolicLink(Path.Combine(_tree, "up"), "..");

        AssertRefused(Read("up/secret"), "leads out of the manifests' tree");
    }

    [Fact]
    public async Task Read_Fifo_RefusedWithoutBlocking()
    {
        Assert.Equal(0, Mkfifo(Path.Combine(_tree, "fifo.conf"), 0b110_100_100));

        var read = await Task.Run(() => Read("fifo.conf"), TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        AssertRefused(read, "is a FIFO, not a regular file");
    }

    [Fact]
    public void Read_Directory_Refused() => AssertRefused(Read("conf"), "is a directory, not a regular file");

    [Fact]
    public void Read_Missing_SaysWhereToPutIt() => AssertRefused(Read("conf/none.conf"), "does not exist; put the file beside the manifest");

    [Fact]
    public void Read_TooLarge_RefusedBeforeReading()
    {
        using (var f = File.Create(Path.Combine(_tree, "big.conf")))
            f.SetLength(64L << 30); // sparse: 64 GiB that are never read

        AssertRefused(Read("big.conf"), "is 64GiB or more; a config file may be at most 1MiB");
    }

    [Fact]
    public void Read_AtTheLimit_Read()
    {
        File.WriteAllBytes(Path.Combine(_tree, "max.conf"), new byte[1024]);

        Assert.Equal(1024, Read("max.conf", max: 1024).Content!.Length);
        AssertRefused(Read("max.conf", max: 1023), "a config file may be at most");
    }

    static void AssertRefused(TreeFileRead read, string why)
    {
        Assert.Null(read.Content);
        Assert.Contains(why, read.Problem, StringComparison.Ordinal);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "mkfifo")]
    static extern int Mkfifo(string path, uint mode);
}
