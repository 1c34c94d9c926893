using Islander.Drivers.Volumes;
using Islander.Model;
using Islander.Testing.Fakes;
using Islander.Testing.Volumes;

namespace Islander.Drivers.Tests.Volumes;

/// <summary>The fake keeps the real drivers' contract, acting as each kind.</summary>
public abstract class FakeVolumeDriverTests(VolumeDriverKind kind) : VolumeDriverContract
{
    readonly FakeVolumeDisk _disk = new();

    protected FakeVolumeDriver Fake => (FakeVolumeDriver)Driver;

    protected override IVolumeDriver NewDriver() => new FakeVolumeDriver(kind, _disk);

    protected override void Write(string name, string path, string file, byte[] data) => Fake.Write(name, file, data);

    protected override byte[]? Read(string name, string path, string file) => Fake.Read(name, file);

    protected override bool PathExists(string name, string path) => _disk.Snapshot().ContainsKey(name);

    [Fact]
    public void NextError_ThrownOnce()
    {
        Fake.NextError = new VolumeException("boom", ErrorCategory.Transient);
        Assert.Throws<VolumeException>(() => Fake.Create(NewVolume("data"), Spec(), TestContext.Current.CancellationToken));
        Fake.Create("data", Spec(), TestContext.Current.CancellationToken);
        Assert.True(Fake.Exists("data", TestContext.Current.CancellationToken));
    }

    [Fact]
    public void SimulateReboot_OnlyTmpfsLosesItsVolumes()
    {
        Fake.Create(NewVolume("data"), Spec(), TestContext.Current.CancellationToken);
        Fake.SimulateReboot();
        Assert.Equal(kind != new VolumeDriverKind("tmpfs"), NewDriver().Exists("data", TestContext.Current.CancellationToken));
    }
}

public class FakeDirVolumeDriverTests() : FakeVolumeDriverTests(VolumeDriverKind.Dir);

public class FakeTmpfsVolumeDriverTests() : FakeVolumeDriverTests(new VolumeDriverKind("tmpfs"));

public class FakeBtrfsVolumeDriverTests() : FakeVolumeDriverTests(new VolumeDriverKind("btrfs"));
