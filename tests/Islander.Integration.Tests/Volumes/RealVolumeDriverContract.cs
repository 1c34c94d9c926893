using Islander.Drivers.Rootfs;
using Islander.Testing.Volumes;

namespace Islander.Integration.Tests.Volumes;

/// <summary>The contract on a real driver, checking after each test that no mount is left under its root.</summary>
public abstract class RealVolumeDriverContract : VolumeDriverContract
{
    /// <summary>The driver's root, made fresh for each test.</summary>
    protected abstract string Root { get; }

    protected override void Cleanup()
    {
        string root = Path.GetFullPath(Root);
        var left = MountInfo.Parse(File.ReadAllText("/proc/self/mountinfo")).Where(m => m.MountPoint.StartsWith(root + "/", StringComparison.Ordinal)).ToList();
        foreach (var mount in left)
            Islander.Drivers.Interop.MountInterop.Unmount(mount.MountPoint);
        if (Directory.Exists(root))
            Directory.Delete(root, recursive: true);
        Assert.True(left.Count == 0, $"mounts left behind: {string.Join(", ", left.Select(m => m.MountPoint))}");
    }
}
