using Islander.Drivers.Interop;
using Islander.Integration.Tests.Images;
using Islander.Integration.Tests.Volumes;
using Islander.Testing;

namespace Islander.Integration.Tests.Isles;

/// <summary>
/// Where an isle's inodes go on ext4 (<see cref="Drivers.Runtime.IsleRuntime.PrepareDirectories"/>): STATE/isles is
/// marked a top of directory hierarchies (chattr +T), so each isle's directory, and the files and overlay work files
/// under it, go to a block group of its own instead of all into one, where ext4 without a journal scans past every inode
/// freed in the last minute. On a throwaway ext4 made as this machine's root is (no journal), with small block groups
/// and no flex groups, so that an inode's group is its number divided by the group's inodes.
/// </summary>
public sealed class IsleInodePlacementTests : IAsyncDisposable
{
    const int InodesPerGroup = 8192 * 4096 / 16384; // mkfs below: -g 8192 blocks of 4 KiB a group, -i 16384 bytes an inode

    readonly LoopFilesystem _fs = new("inodes"); // made by the test that needs it; Dispose removes what was made
    IsleHarness? _h;

    public async ValueTask DisposeAsync()
    {
        if (_h is not null)
            await _h.DisposeAsync();
        _fs.Dispose();
    }

    [Fact]
    public async Task IslesOnExt4_EachIsleDirectoryInAGroupOfItsOwn_TheIslesDirectoryMarkedT()
    {
        Tools.RequireRootAndTools("mkfs.ext4", "lsattr");
        _fs.Create("mkfs.ext4", ["-q", "-b", "4096", "-g", "8192", "-i", "16384", "-I", "256", "-O", "^has_journal,^flex_bg"], "ext4");
        var h = _h = IsleHarness.WithStateRoot(_fs.NewRoot());
        h.Runtime.PrepareDirectories();
        var groups = new List<ulong>();
        for (int i = 0; i < 3; i++)
        {
            var run = await h.RunAsync(IsleHarness.Spec("true"));
            Assert.Equal(0, run.Status.Code);
            ulong inode = FileSystemInterop.InodeNumber(h.Paths.IsleStateDir(run.Name));
            ulong layer = FileSystemInterop.InodeNumber(Path.Combine(h.Paths.IsleStateDir(run.Name), "fs", "upper"));
            Assert.Equal((inode - 1) / InodesPerGroup, (layer - 1) / InodesPerGroup); // its layer follows it
            groups.Add((inode - 1) / InodesPerGroup);
        }

        // Without the mark all three are made in STATE/isles' own group, one after the other.
        Assert.True(groups.Distinct().Count() > 1, $"the isles' directories are all in block group {groups[0]}");
        string flags = Tools.Run("lsattr", "-d", h.Paths.IslesStateRoot).Split(' ')[0];
        Assert.Contains('T', flags);
    }

    [Fact]
    public void TopDirectoryMark_OnTmpfs_RefusedWithoutAnError()
    {
        // RUN/isles is on a tmpfs on most hosts (/run): the mark is a hint for ext4, and its refusal no failure.
        const long TmpfsMagic = 0x01021994;
        Assert.SkipUnless(Directory.Exists("/dev/shm") && FileSystemInterop.Statfs("/dev/shm").Type == TmpfsMagic, "/dev/shm is not a tmpfs here");
        string dir = Directory.CreateDirectory(Path.Combine("/dev/shm", "islander-topdir-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        try
        {
            Assert.False(FileSystemInterop.TryMarkTopDirectory(dir));
        }
        finally
        {
            Directory.Delete(dir);
        }
    }
}
