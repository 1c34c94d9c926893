using Islander.Drivers.Rootfs;
using Islander.Integration.Tests.Images;

namespace Islander.Integration.Tests.Volumes;

/// <summary>
/// A throwaway filesystem on a loop device: a sparse file, mkfs, a loop device and a mount, all named
/// <c>islander-test-KIND-…</c> in the temp directory and all removed by <see cref="Dispose"/>. Test fixtures may run
/// tools (containerd's btrfs tests do too); the drivers never do. The fixtures (<see cref="BtrfsLoopFilesystem"/>,
/// <see cref="Isles.ProjectQuotaFilesystem"/>) decide whether it can be made here.
/// </summary>
public sealed class LoopFilesystem : IDisposable
{
    const long ImageSize = 512L << 20; // mkfs.xfs wants at least 300 MiB, mkfs.btrfs ~110 MiB; sparse, so it costs what is written

    readonly string _image;
    string? _loop;

    /// <param name="kind">The name's middle part (btrfs, quota).</param>
    public LoopFilesystem(string kind)
    {
        string id = Guid.NewGuid().ToString("N")[..8];
        MountPoint = Path.Combine(Path.GetTempPath(), $"islander-test-{kind}-{id}");
        _image = MountPoint + ".img";
    }

    /// <summary>Where the filesystem is mounted.</summary>
    public string MountPoint { get; }

    /// <summary>A fresh directory on the filesystem for one test's root.</summary>
    public string NewRoot() => Path.Combine(MountPoint, "t-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>Makes the filesystem with <paramref name="mkfs"/> (its <paramref name="mkfsArguments"/> before the image's path) and mounts it; undoes what it did when a step fails.</summary>
    public void Create(string mkfs, string[] mkfsArguments, string type, string? options = null)
    {
        try
        {
            using (var file = new FileStream(_image, FileMode.CreateNew))
                file.SetLength(ImageSize);
            Tools.Run(mkfs, [.. mkfsArguments, _image]);
            _loop = Tools.Run(Find("losetup")!, "--find", "--show", _image).Trim();
            Directory.CreateDirectory(MountPoint);
            Tools.Run("mount", options is null ? ["-t", type, _loop, MountPoint] : ["-t", type, "-o", options, _loop, MountPoint]);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public void Dispose()
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
        if (File.Exists(_image))
            File.Delete(_image);
        _loop = null;
    }

    /// <summary>A tool's path in PATH or in the sbin directories a root shell has.</summary>
    public static string? Find(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(["/usr/sbin", "/sbin"])
            .Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);
}
