using System.Security.Cryptography;
using System.Text;
using Islander.Drivers.Images;
using Islander.Drivers.Interop;
using Islander.Model;

namespace Islander.Drivers.Tests.Images;

public sealed class TarUnpackerTests : IDisposable
{
    readonly TempDir temp = new();
    readonly string root, outside;

    public TarUnpackerTests()
    {
        root = temp["root"];
        outside = temp["outside"];
        Directory.CreateDirectory(root);
        Directory.CreateDirectory(outside);
    }

    public void Dispose() => temp.Dispose();

    UnpackResult Unpack(byte[] archive, UnpackOptions? options = null) =>
        TarUnpacker.Unpack(new MemoryStream(archive), root, options ?? UnpackOptions.Layer);

    static void RequireRoot() => Assert.SkipUnless(FileInterop.IsRoot, "needs root (mknod, chown, trusted.* xattrs)");

    string[] OutsideFiles() => Directory.GetFileSystemEntries(outside, "*", SearchOption.AllDirectories);

    // ---- hostile archives ----

    [Theory]
    [InlineData("../evil")]
    [InlineData("a/../../evil")]
    [InlineData("./../outside/evil")]
    public void Unpack_TarSlip_RefusedAndNothingWrittenOutside(string name)
    {
        var tar = new TestTar().Dir("a").File(name, "pwned").Bytes();

        var e = Assert.Throws<IslanderException>(() => Unpack(tar));

        Assert.Equal(ErrorCategory.InvalidManifest, e.Category);
        Assert.Empty(OutsideFiles());
        Assert.False(File.Exists(temp["evil"]));
    }

    [Fact]
    public void Unpack_AbsolutePath_LandsInsideRoot()
    {
        string abs = outside + "/abs";
        var tar = new TestTar().File(abs, "x").Bytes();

        Unpack(tar);

        Assert.Empty(OutsideFiles());
        Assert.Equal("x", File.ReadAllText(root + abs));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Unpack_FileThroughPlantedSymlink_StaysInsideRoot(bool absoluteLink)
    {
        // escape -> /…/outside (or ../../…/outside); then escape/pwned: RESOLVE_IN_ROOT puts it at ROOT/…/outside/pwned.
        string target = absoluteLink ? outside : string.Concat(Enumerable.Repeat("../", 20)) + outside.TrimStart('/');
        var tar = new TestTar().Symlink("escape", target).File("escape/pwned", "x").Bytes();

        Unpack(tar);

        Assert.Empty(OutsideFiles());
        Assert.Equal("x", File.ReadAllText(root + outside + "/pwned"));
    }

    [Fact]
    public void Unpack_SymlinkChainAndDotDot_Clamped()
    {
        var tar = new TestTar()
            .Dir("a/b")
            .Symlink("a/b/up", "../../../../..")
            .Symlink("hop", "a/b/up")
            .File("hop/" + outside.TrimStart('/') + "/pwned", "x")
            .File("a/b/up/etc-file", "y")
            .Bytes();

        Unpack(tar);

        Assert.Empty(OutsideFiles());
        Assert.True(File.Exists(root + outside + "/pwned"));
        Assert.True(File.Exists(Path.Combine(root, "etc-file")));
    }

    [Fact]
    public void Unpack_FileReplacingSymlink_DoesNotWriteThroughIt()
    {
        File.WriteAllText(Path.Combine(outside, "victim"), "original");
        var tar = new TestTar().Symlink("x", Path.Combine(outside, "victim")).File("x", "overwritten").Bytes();

        Unpack(tar);

        Assert.Equal("original", File.ReadAllText(Path.Combine(outside, "victim")));
        Assert.Equal(FileKind.Regular, FileInterop.Lstat(Path.Combine(root, "x")).Kind);
    }

    [Fact]
    public void Unpack_DirectoryLaterReplacedBySymlink_DeferredModeNotAppliedOutside()
    {
        Directory.CreateDirectory(Path.Combine(outside, "e"));
        File.SetUnixFileMode(Path.Combine(outside, "e"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var before = Directory.GetLastWriteTimeUtc(Path.Combine(outside, "e"));
        var tar = new TestTar().Dir("d").Dir("d/e", (UnixFileMode)0b111_111_111).Symlink("d", outside).Bytes();

        Unpack(tar);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(outside, "e")));
        Assert.Equal(before, Directory.GetLastWriteTimeUtc(Path.Combine(outside, "e")));
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("zstd")]
    [InlineData("none")]
    public void Unpack_Truncated_InvalidManifest(string compression)
    {
        byte[] tar = new TestTar().File("big", new string('x', 100_000)).Bytes();
        byte[] archive = compression switch { "gzip" => TestTar.Gzip(tar), "zstd" => TestTar.Zstd(tar), _ => tar };

        var e = Assert.Throws<IslanderException>(() => Unpack(archive[..(archive.Length / 2)]));

        Assert.Equal(ErrorCategory.InvalidManifest, e.Category);
    }

    [Fact]
    public void Unpack_SymlinkLoop_Refused()
    {
        var tar = new TestTar().Symlink("a", "b").Symlink("b", "a").File("a/f", "x").Bytes();

        var e = Assert.Throws<IslanderException>(() => Unpack(tar));

        Assert.Contains("symbolic links", e.Message);
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("link/passwd")]
    public void Unpack_HardLinkOutside_Refused(string target)
    {
        var tar = new TestTar().Symlink("link", "/etc").HardLink("h", target).Bytes();

        var e = Assert.Throws<IslanderException>(() => Unpack(tar));

        Assert.Equal(ErrorCategory.InvalidManifest, e.Category);
        Assert.False(File.Exists(Path.Combine(root, "h")));
    }

    [Fact]
    public void Unpack_HardLinkToDirectory_Refused()
    {
        var tar = new TestTar().Dir("d").HardLink("h", "d").Bytes();

        Assert.Throws<IslanderException>(() => Unpack(tar));
    }

    [Fact]
    public void Unpack_DeviceNode_SkippedByDefaultAndNamed()
    {
        var tar = new TestTar().Dir("dev").CharDevice("dev/sda", 8, 0).CharDevice("dev/mem", 1, 1).Bytes();

        var result = Unpack(tar);

        Assert.Equal(2, result.SkippedDevices);
        Assert.Equal(["/dev/sda (character device 8:0)", "/dev/mem (character device 1:1)"], result.SkippedDeviceNodes);
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(root, "dev")));
    }

    [Fact]
    public void Unpack_HardLinkToSkippedDevice_AlsoSkipped()
    {
        var tar = new TestTar().CharDevice("sda", 8, 0).HardLink("disk", "sda").Bytes();

        var result = Unpack(tar);

        Assert.Equal(2, result.SkippedDevices);
        Assert.Equal(["/sda (character device 8:0)", "/disk (hard link to /sda)"], result.SkippedDeviceNodes);
        Assert.Empty(Directory.GetFileSystemEntries(root));
    }

    [Fact]
    public void Unpack_DeviceNodeAllowed_Created()
    {
        RequireRoot();
        var tar = new TestTar().CharDevice("null", 1, 3).Bytes();

        Unpack(tar, UnpackOptions.Layer with { AllowDevices = true });

        var st = FileInterop.Lstat(Path.Combine(root, "null"));
        Assert.Equal((FileKind.CharDevice, 1u, 3u), (st.Kind, st.RdevMajor, st.RdevMinor));
    }

    [Fact]
    public void Unpack_OverlayXattrInArchive_NotApplied()
    {
        RequireRoot();
        var tar = new TestTar().File("f", "x", pax: [new("SCHILY.xattr.trusted.overlay.redirect", "/etc"), new("SCHILY.xattr.user.ok", "yes")]).Bytes();

        var result = Unpack(tar);

        Assert.Null(FileInterop.GetXattr(Path.Combine(root, "f"), "trusted.overlay.redirect"));
        Assert.Equal(1, result.SkippedXattrs);
    }

    [Fact]
    public void Unpack_FileUnderRegularFile_Refused()
    {
        var tar = new TestTar().File("f", "x").File("f/g", "y").Bytes();

        Assert.Throws<IslanderException>(() => Unpack(tar));
    }

    [Fact]
    public void Unpack_NotATar_InvalidManifest()
    {
        var e = Assert.Throws<IslanderException>(() => Unpack(Encoding.ASCII.GetBytes(new string('x', 1024))));

        Assert.Equal(ErrorCategory.InvalidManifest, e.Category);
    }

    // ---- whiteouts ----

    [Fact]
    public void Unpack_Whiteout_BecomesCharDevice00()
    {
        RequireRoot();
        var tar = new TestTar().Dir("etc").File("etc/.wh.motd").File(".wh.gone").Bytes();

        Unpack(tar);

        foreach (var path in (string[])["etc/motd", "gone"])
        {
            var st = FileInterop.Lstat(Path.Combine(root, path));
            Assert.Equal((FileKind.CharDevice, 0u, 0u), (st.Kind, st.RdevMajor, st.RdevMinor));
        }
        Assert.False(File.Exists(Path.Combine(root, "etc/.wh.motd")));
    }

    [Fact]
    public void Unpack_OpaqueMarker_SetsOverlayOpaqueXattrAndKeepsSiblings()
    {
        RequireRoot();
        var tar = new TestTar().Dir("var/cache").File("var/cache/.wh..wh..opq").File("var/cache/new", "n").File(".wh..wh.plnk").Bytes();

        Unpack(tar);

        Assert.Equal("y"u8.ToArray(), FileInterop.GetXattr(Path.Combine(root, "var/cache"), "trusted.overlay.opaque"));
        Assert.Equal(["new"], Directory.GetFileSystemEntries(Path.Combine(root, "var/cache")).Select(Path.GetFileName));
        Assert.Empty(Directory.GetFileSystemEntries(root, ".wh*"));
    }

    [Fact]
    public void Unpack_WhiteoutsOff_KeptAsFiles()
    {
        var tar = new TestTar().File(".wh.gone").Bytes();

        Unpack(tar, UnpackOptions.Archive);

        Assert.True(File.Exists(Path.Combine(root, ".wh.gone")));
    }

    [Theory]
    [InlineData("a/.wh.b", WhiteoutKind.File, "a/b")]
    [InlineData(".wh.x", WhiteoutKind.File, "x")]
    [InlineData("a/b/.wh..wh..opq", WhiteoutKind.Opaque, "a/b")]
    [InlineData(".wh..wh..opq", WhiteoutKind.Opaque, "")]
    [InlineData(".wh..wh.plnk/1", WhiteoutKind.None, ".wh..wh.plnk/1")]
    [InlineData(".wh..wh.plnk", WhiteoutKind.Meta, ".wh..wh.plnk")]
    [InlineData("a/b.wh.c", WhiteoutKind.None, "a/b.wh.c")]
    public void Classify_WhiteoutNames(string path, WhiteoutKind kind, string target) =>
        Assert.Equal((kind, target), LayerPath.Classify(path));

    [Theory]
    [InlineData("./a/b/", "a/b")]
    [InlineData("/a//b/./c", "a/b/c")]
    [InlineData("a/b/../c", "a/c")]
    [InlineData("./", "")]
    [InlineData("/", "")]
    public void Clean_Lexical(string name, string clean) => Assert.Equal(clean, LayerPath.Clean(name));

    // ---- ordinary content ----

    [Fact]
    public void Unpack_Metadata_ModesOwnersTimesLinks()
    {
        var mtime = new DateTimeOffset(2020, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var tar = new TestTar()
            .Dir("ro", (UnixFileMode)0b101_101_101)
            .File("ro/inside", "i")
            .File("bin/tool", "#!/bin/sh", (UnixFileMode)0b111_101_100 | UnixFileMode.SetUser, 1234, 4321, mtime)
            .Symlink("bin/sh", "busybox")
            .HardLink("bin/tool2", "bin/tool")
            .Bytes();

        Unpack(tar);

        string tool = Path.Combine(root, "bin/tool");
        Assert.Equal("#!/bin/sh", File.ReadAllText(tool));
        Assert.Equal(mtime, new DateTimeOffset(File.GetLastWriteTimeUtc(tool)));
        Assert.Equal("busybox", new FileInfo(Path.Combine(root, "bin/sh")).LinkTarget);
        Assert.Equal((UnixFileMode)0b101_101_101, File.GetUnixFileMode(Path.Combine(root, "ro")));
        Assert.Equal("i", File.ReadAllText(Path.Combine(root, "ro/inside")));
        File.AppendAllText(Path.Combine(root, "bin/tool2"), "!");
        Assert.Equal("#!/bin/sh!", File.ReadAllText(tool)); // same inode
        if (FileInterop.IsRoot)
        {
            Assert.Equal((UnixFileMode)0b111_101_100 | UnixFileMode.SetUser, File.GetUnixFileMode(tool)); // setuid survives chown
            var st = FileInterop.Lstat(tool);
            Assert.Equal((1234u, 4321u), (st.Uid, st.Gid));
        }
    }

    [Fact]
    public void Unpack_DirectoryAgain_KeepsContentAndUpdatesMode()
    {
        var tar = new TestTar().Dir("d").File("d/f", "x").Dir("d", (UnixFileMode)0b111_000_000).Bytes();

        Unpack(tar);

        Assert.True(File.Exists(Path.Combine(root, "d/f")));
        Assert.Equal((UnixFileMode)0b111_000_000, File.GetUnixFileMode(Path.Combine(root, "d")));
    }

    [Theory]
    [InlineData("none")]
    [InlineData("gzip")]
    [InlineData("zstd")]
    public void Unpack_Compressions_DiffIdIsDigestOfTar(string compression)
    {
        byte[] tar = new TestTar().Dir("etc").File("etc/os-release", "ID=test").Bytes();
        byte[] archive = compression switch { "gzip" => TestTar.Gzip(tar), "zstd" => TestTar.Zstd(tar), _ => tar };

        var result = Unpack(archive);

        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(tar)), result.DiffId.ToString());
        Assert.Equal(tar.Length, result.TarBytes);
        Assert.Equal("ID=test", File.ReadAllText(Path.Combine(root, "etc/os-release")));
    }
}
