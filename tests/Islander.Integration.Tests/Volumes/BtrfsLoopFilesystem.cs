using Islander.Drivers.Rootfs;
using Islander.Integration.Tests.Images;
using Islander.Testing;

namespace Islander.Integration.Tests.Volumes;

/// <summary>
/// A throwaway btrfs filesystem: a sparse file, mkfs.btrfs, a loop device and a mount, all named
/// <c>islander-test-btrfs-…</c> and all removed on dispose. Test fixtures may run tools (containerd's btrfs tests
/// do too); the driver never does. Tests call <see cref="Require"/>, which skips off root or without btrfs-progs.
/// </summary>
public sealed class BtrfsLoopFilesystem : IAsyncLifetime
{
    const long ImageSize = 512L << 20; // mkfs.btrfs wants at least ~110 MiB; sparse, so it costs what is written

    readonly string _id = Guid.NewGuid().ToString("N")[..8];
    string? _image;
    string? _loop;

    /// <summary>Where the filesystem is mounted.</summary>
    public string MountPoint => Path.Combine(Path.GetTempPath(), $"islander-test-btrfs-{_id}");

    /// <summary>Why the tests cannot run here, or null.</summary>
    public string? SkipReason { get; private set; }

    public void Require() => Assert.SkipWhen(SkipReason is not null, SkipReason ?? "");

    /// <summary>A fresh directory on the filesystem for one test's volume root.</summary>
    public string NewRoot() => Path.Combine(MountPoint, "t-" + Guid.NewGuid().ToString("N")[..8]);

    public ValueTask InitializeAsync()
    {
        SkipReason = !HostCaps.IsRoot ? "needs root (loop device, mount)"
            : Find("mkfs.btrfs") is null ? "mkfs.btrfs is missing: install btrfs-progs (scripts/setup.sh does)"
            : !File.ReadAllText("/proc/filesystems").Contains("btrfs") ? "this kernel has no btrfs"
            : null;
        if (SkipReason is not null)
            return ValueTask.CompletedTask;
        try
        {
            _image = Path.Combine(Path.GetTempPath(), $"islander-test-btrfs-{_id}.img");
            using (var file = new FileStream(_image, FileMode.CreateNew))
                file.SetLength(ImageSize);
            Tools.Run(Find("mkfs.btrfs")!, "-q", _image);
            _loop = Tools.Run(Find("losetup")!, "--find", "--show", _image).Trim();
            Directory.CreateDirectory(MountPoint);
            Tools.Run("mount", "-t", "btrfs", _loop, MountPoint);
        }
        catch
        {
            Teardown();
            throw;
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        Teardown();
        return ValueTask.CompletedTask;
    }

    void Teardown()
    {
        if (MountInfo.IsMountPoint(MountPoint))
        {
            try
            {
                Tools.Run("umount", MountPoint);
            }
            catch (InvalidOperationException)
            {
                Tools.Run("umount", "--lazy", MountPoint); // still busy: detach it, the loop device goes when it is free
            }
        }
        if (Directory.Exists(MountPoint))
            Directory.Delete(MountPoint);
        if (_loop is not null)
            Tools.Run(Find("losetup")!, "--detach", _loop);
        if (_image is not null && File.Exists(_image))
            File.Delete(_image);
        _loop = _image = null;
    }

    static string? Find(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(["/usr/sbin", "/sbin"])
            .Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);
}
