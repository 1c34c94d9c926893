using Islander.Testing;

namespace Islander.Integration.Tests.Volumes;

/// <summary>
/// A throwaway btrfs filesystem (<see cref="LoopFilesystem"/>, named <c>islander-test-btrfs-…</c>), removed on
/// dispose. Tests call <see cref="Require"/>, which skips off root or without btrfs-progs.
/// </summary>
public sealed class BtrfsLoopFilesystem : IAsyncLifetime
{
    readonly LoopFilesystem _fs = new("btrfs");

    /// <summary>Where the filesystem is mounted.</summary>
    public string MountPoint => _fs.MountPoint;

    /// <summary>Why the tests cannot run here, or null.</summary>
    public string? SkipReason { get; private set; }

    public void Require() => Assert.SkipWhen(SkipReason is not null, SkipReason ?? "");

    /// <summary>A fresh directory on the filesystem for one test's volume root.</summary>
    public string NewRoot() => _fs.NewRoot();

    public ValueTask InitializeAsync()
    {
        SkipReason = !HostCaps.IsRoot ? "needs root (loop device, mount)"
            : LoopFilesystem.Find("mkfs.btrfs") is null ? "mkfs.btrfs is missing: install btrfs-progs (scripts/setup.sh does)"
            : !File.ReadAllText("/proc/filesystems").Contains("btrfs") ? "this kernel has no btrfs"
            : null;
        if (SkipReason is null)
            _fs.Create(LoopFilesystem.Find("mkfs.btrfs")!, ["-q"], "btrfs");
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _fs.Dispose();
        return ValueTask.CompletedTask;
    }
}
