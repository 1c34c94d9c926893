using Islander.Drivers.Interop;
using Islander.Drivers.Rootfs;
using Islander.Model;

namespace Islander.Integration.Tests.Isles;

/// <summary><c>resources.disk</c> where the state directory cannot limit a layer: the isle does not start, and says why.</summary>
[Collection(IsleCollection.Name)]
public sealed class IsleDiskLimitUnsupportedTests : IAsyncDisposable
{
    readonly IsleHarness _h = new();

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    [Fact]
    public async Task Start_DiskLimitOnExt4WithoutProjectQuota_UnsupportedSayingWhatToChange()
    {
        Assert.SkipUnless(FileSystemInterop.Statfs(_h.HostDir).Type == FileSystemStats.Ext4Magic && !MountedWithPrjquota(_h.HostDir),
            $"needs the temp directory on ext4 without project quotas, as on a default install; {_h.HostDir} is not");
        var spec = IsleHarness.Spec("sh", "-c", "echo started") with { Resources = new IsleResources { Disk = 1L << 30 } };

        var e = await Assert.ThrowsAsync<IslanderException>(() => _h.StartAsync(spec, "big"));

        Assert.Equal(ErrorCategory.Unsupported, e.Category);
        Assert.Equal(
            "resources.disk needs the state directory on XFS mounted with prjquota, on ext4 with the project feature mounted with " +
            $"prjquota (tune2fs -O project,quota; mount -o prjquota), or on btrfs; {_h.Paths.StateRoot} is on ext4: project quotas " +
            "are off (not mounted with prjquota, or a kernel without quota support for it)", e.Message);
        Assert.Equal("", _h.Log("big")); // it never ran
        Assert.False(Directory.Exists(Path.Combine(_h.Paths.IsleStateDir("big"), "fs")), "nothing is left of its layer");
    }

    /// <summary>Whether the mount holding <paramref name="dir"/> (the longest mount point above it) has prjquota.</summary>
    static bool MountedWithPrjquota(string dir) =>
        MountInfo.Parse(File.ReadAllText("/proc/self/mountinfo"))
            .Where(m => dir.StartsWith(m.MountPoint.TrimEnd('/') + "/", StringComparison.Ordinal))
            .MaxBy(m => m.MountPoint.Length)!.SuperOptions.Contains("prjquota", StringComparison.Ordinal);
}
