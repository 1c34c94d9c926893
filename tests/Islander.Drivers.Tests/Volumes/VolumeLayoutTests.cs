using Islander.Drivers.Volumes;
using Islander.Drivers.Volumes.Btrfs;
using Islander.Model;

namespace Islander.Drivers.Tests.Volumes;

public class VolumeLayoutTests
{
    [Fact]
    public void Paths_UnderTheRoot()
    {
        var layout = new VolumeLayout("/var/lib/islander/volumes/btrfs/");
        Assert.Equal("/var/lib/islander/volumes/btrfs/data", layout.Volume("data"));
        Assert.Equal("/var/lib/islander/volumes/btrfs/.snapshots/data/s1", layout.Snapshot("data", "s1"));
        Assert.Equal("/var/lib/islander/volumes/btrfs/.staging/data", layout.Staging("data"));
    }

    [Fact]
    public void Root_Relative_Throws() => Assert.Throws<ArgumentException>(() => new VolumeLayout("volumes"));
}
