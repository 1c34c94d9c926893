using Islander.Drivers.Volumes;
using Islander.Integration.Tests.Isles;
using Islander.Model;

namespace Islander.Integration.Tests.Volumes;

/// <summary>
/// Volumes as isles see them: the driver's host path bind-mounted at /data (as the controller will do for
/// <c>volumes: [{name: data, mountPath: /data}]</c>), written by one isle and read by the next after the first is deleted.
/// </summary>
[Collection(IsleCollection.Name)]
public sealed class VolumeIsleTests(BtrfsLoopFilesystem fs) : IAsyncDisposable, IClassFixture<BtrfsLoopFilesystem>
{
    const long MiB = 1 << 20;

    readonly IsleHarness _h = new();
    readonly List<(IVolumeDriver Driver, string Name)> _volumes = [];

    public async ValueTask DisposeAsync()
    {
        // The isles have ended; the volumes go first, because the harness removes the directory the tmpfs root is in.
        try
        {
            foreach (var (driver, name) in _volumes)
                driver.Delete(name);
        }
        finally
        {
            await _h.DisposeAsync();
        }
    }

    IVolumeDriver NewDriver(VolumeDriverKind kind)
    {
        switch (kind)
        {
            case VolumeDriverKind.Btrfs:
                fs.Require();
                return new BtrfsVolumeDriver(fs.NewRoot());
            case VolumeDriverKind.Tmpfs:
                return new TmpfsVolumeDriver(Path.Combine(_h.HostDir, "volumes-tmpfs"));
            default:
                return new DirVolumeDriver(Path.Combine(_h.HostDir, "volumes-dir"));
        }
    }

    string CreateVolume(IVolumeDriver driver, long? size = null)
    {
        _volumes.Add((driver, "data"));
        return driver.Create("data", new VolumeSpec { Driver = driver.Kind, Size = size });
    }

    static IsleSpec WithVolume(string hostPath, params string[] command) =>
        IsleHarness.Spec(command) with { Volumes = [new VolumeMount { HostPath = hostPath, MountPath = "/data" }] };

    [Theory]
    [InlineData(VolumeDriverKind.Dir)]
    [InlineData(VolumeDriverKind.Tmpfs)]
    [InlineData(VolumeDriverKind.Btrfs)]
    public async Task Volume_WrittenByOneIsle_ReadByTheNextAfterTheFirstIsDeleted(VolumeDriverKind kind)
    {
        var driver = NewDriver(kind);
        var path = CreateVolume(driver, kind == VolumeDriverKind.Dir ? null : 64 * MiB);

        var first = await _h.RunAsync(WithVolume(path, "sh", "-c", "echo written-by-the-first-isle > /data/greeting && head -c 100000 /dev/urandom > /data/blob && md5sum /data/blob"));
        Assert.True(first.Status.Code == 0, first.Output);
        await _h.Runtime.DeleteAsync(first.Name, TestContext.Current.CancellationToken, keepLog: false);

        var second = await _h.OutputAsync(WithVolume(path, "sh", "-c", "cat /data/greeting && md5sum /data/blob"));

        Assert.Equal("written-by-the-first-isle\n" + first.Output.Trim(), second);
        Assert.Equal("written-by-the-first-isle\n", File.ReadAllText(Path.Combine(path, "greeting")));
    }

    [Theory]
    [InlineData(VolumeDriverKind.Btrfs, "Disk quota exceeded")]
    [InlineData(VolumeDriverKind.Tmpfs, "No space left on device")]
    public async Task Volume_WritePastItsSize_FailsInsideTheIsle(VolumeDriverKind kind, string error)
    {
        var path = CreateVolume(NewDriver(kind), 16 * MiB);

        var (status, output) = await _h.RunAsync(WithVolume(path, "sh", "-c", "dd if=/dev/zero of=/data/big bs=1M count=64 && sync /data/big"));

        Assert.True(status.Code != 0, $"the isle wrote 64 MiB into a 16 MiB volume: {output}");
        Assert.Contains(error, output);
    }
}
