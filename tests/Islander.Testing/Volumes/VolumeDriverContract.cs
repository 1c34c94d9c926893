using Xunit;
using Islander.Drivers.Volumes;
using Islander.Model;

namespace Islander.Testing.Volumes;

/// <summary>
/// What every <see cref="IVolumeDriver"/> promises, run against the fake (each kind), the dir driver on a temp
/// directory, the tmpfs driver and the btrfs driver on a loop-mounted filesystem (containerd's SnapshotterSuite).
/// Tests of a capability the driver lacks check that it refuses with Unsupported instead.
/// </summary>
public abstract class VolumeDriverContract : IDisposable
{
    protected const long MiB = 1 << 20;

    readonly List<string> _names = [];
    IVolumeDriver? _driver;

    protected IVolumeDriver Driver => _driver ??= NewDriver();

    /// <summary>A new driver over the same root every call: what a restarted daemon makes.</summary>
    protected abstract IVolumeDriver NewDriver();

    /// <summary>Writes a file into the volume the way an isle would (real drivers: into the host path, synced).</summary>
    protected virtual void Write(string name, string path, string file, byte[] data)
    {
        using var stream = new FileStream(Path.Combine(path, file), FileMode.Create, FileAccess.Write);
        stream.Write(data);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>The bytes of a file in the volume, null when it is not there.</summary>
    protected virtual byte[]? Read(string name, string path, string file) =>
        File.Exists(Path.Combine(path, file)) ? File.ReadAllBytes(Path.Combine(path, file)) : null;

    /// <summary>Whether anything is left at a volume's path (the fake: whether it holds the volume).</summary>
    protected virtual bool PathExists(string name, string path) => Directory.Exists(path) || File.Exists(path);

    /// <summary>Removes the root and whatever else the subclass made, after the volumes are deleted.</summary>
    protected virtual void Cleanup()
    {
    }

    protected VolumeSpec Spec(long? size = null) => new() { Driver = Driver.Kind, Size = size };

    protected string NewVolume(string name)
    {
        _names.Add(name);
        return name;
    }

    bool Can(VolumeCapabilities capability) => Driver.Capabilities.HasFlag(capability);

    public void Dispose()
    {
        try
        {
            if (_driver is not null)
                foreach (var name in _names)
                    _driver.Delete(name, CancellationToken.None);
        }
        finally
        {
            Cleanup();
            GC.SuppressFinalize(this);
        }
    }

    [Fact]
    public void Exists_BeforeCreate_False()
    {
        Assert.False(Driver.Exists(NewVolume("data"), TestContext.Current.CancellationToken));
        Assert.DoesNotContain("data", Driver.List(TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Create_New_ExistsIsListedAndInspected()
    {
        var path = Driver.Create(NewVolume("data"), Spec(), TestContext.Current.CancellationToken);

        Assert.True(Driver.Exists("data", TestContext.Current.CancellationToken));
        Assert.Contains("data", Driver.List(TestContext.Current.CancellationToken));
        var info = Driver.Inspect("data", TestContext.Current.CancellationToken);
        Assert.Equal((path, Driver.Kind, "data"), (info.Path, info.Driver, info.Name));
        Assert.Empty(info.Snapshots);
    }

    [Fact]
    public void Create_Twice_IsIdempotentAndKeepsTheData()
    {
        var path = Driver.Create(NewVolume("data"), Spec(), TestContext.Current.CancellationToken);
        Write("data", path, "f", [1, 2, 3]);

        Assert.Equal(path, Driver.Create("data", Spec(), TestContext.Current.CancellationToken));
        Assert.Equal([1, 2, 3], Read("data", path, "f"));
    }

    [Fact]
    public void Create_WriteThenRestart_BytesStillThereAndListed()
    {
        var path = Driver.Create(NewVolume("data"), Spec(), TestContext.Current.CancellationToken);
        var bytes = Enumerable.Range(0, 100_000).Select(i => (byte)i).ToArray();
        Write("data", path, "blob", bytes);

        var restarted = NewDriver();

        Assert.Contains("data", restarted.List(TestContext.Current.CancellationToken));
        Assert.True(restarted.Exists("data", TestContext.Current.CancellationToken));
        Assert.Equal(path, restarted.Inspect("data", TestContext.Current.CancellationToken).Path);
        Assert.Equal(bytes, Read("data", path, "blob"));
    }

    [Fact]
    public void Inspect_AfterWrite_CountsTheBytes()
    {
        var path = Driver.Create(NewVolume("data"), Spec(), TestContext.Current.CancellationToken);
        Write("data", path, "blob", new byte[MiB]);

        Assert.InRange(Driver.Inspect("data", TestContext.Current.CancellationToken).BytesUsed, MiB, 2 * MiB);
    }

    [Fact]
    public void Inspect_Missing_ThrowsNotFound()
    {
        var e = Assert.Throws<VolumeException>(() => Driver.Inspect(NewVolume("nope"), TestContext.Current.CancellationToken));
        Assert.Equal(ErrorCategory.NotFound, e.Category);
    }

    [Fact]
    public void Delete_RemovesTheDataAndTheListing()
    {
        var path = Driver.Create(NewVolume("data"), Spec(), TestContext.Current.CancellationToken);
        Write("data", path, "f", [1]);

        Driver.Delete("data", TestContext.Current.CancellationToken);

        Assert.False(Driver.Exists("data", TestContext.Current.CancellationToken));
        Assert.DoesNotContain("data", Driver.List(TestContext.Current.CancellationToken));
        Assert.False(PathExists("data", path), $"{path} is still there");
        Driver.Create("data", Spec(), TestContext.Current.CancellationToken);
        Assert.Null(Read("data", path, "f"));
    }

    [Fact]
    public void Delete_Missing_IsSuccess()
    {
        Driver.Delete(NewVolume("nope"), TestContext.Current.CancellationToken);
        Driver.Delete("nope", TestContext.Current.CancellationToken);
        Assert.False(Driver.Exists("nope", TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("../x")]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("a/b")]
    [InlineData("/etc")]
    [InlineData(".snapshots")]
    [InlineData("Data")]
    [InlineData("-data")]
    public void Create_NameThatIsNotADnsLabel_ThrowsInvalidManifest(string name)
    {
        var e = Assert.Throws<VolumeException>(() => Driver.Create(name, Spec(), TestContext.Current.CancellationToken));
        Assert.Equal(ErrorCategory.InvalidManifest, e.Category);
        Assert.Equal(ErrorCategory.InvalidManifest, Assert.Throws<VolumeException>(() => Driver.Delete(name, TestContext.Current.CancellationToken)).Category);
        Assert.Equal(ErrorCategory.InvalidManifest, Assert.Throws<VolumeException>(() => Driver.Exists(name, TestContext.Current.CancellationToken)).Category);
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("/")]
    [InlineData("a/b")]
    public void Snapshot_NameThatIsNotADnsLabel_ThrowsInvalidManifest(string snapshot)
    {
        Driver.Create(NewVolume("data"), Spec(), TestContext.Current.CancellationToken);
        var e = Assert.Throws<VolumeException>(() => Driver.Snapshot("data", snapshot, TestContext.Current.CancellationToken));
        Assert.Equal(ErrorCategory.InvalidManifest, e.Category);
    }

    [Fact]
    public void Create_SpecForAnotherDriver_ThrowsInvalidManifest()
    {
        var other = Driver.Kind == VolumeDriverKind.Dir ? new VolumeDriverKind("tmpfs") : VolumeDriverKind.Dir;
        var e = Assert.Throws<VolumeException>(() => Driver.Create(NewVolume("data"), new VolumeSpec { Driver = other }, TestContext.Current.CancellationToken));
        Assert.Equal(ErrorCategory.InvalidManifest, e.Category);
        Assert.False(Driver.Exists("data", TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Create_WithSize_WhenTheDriverCannotLimit_ThrowsUnsupportedAndMakesNothing()
    {
        Assert.SkipWhen(Can(VolumeCapabilities.SizeLimit), $"{Driver.Kind} limits sizes");
        var e = Assert.Throws<VolumeException>(() => Driver.Create(NewVolume("data"), Spec(16 * MiB), TestContext.Current.CancellationToken));
        Assert.Equal(ErrorCategory.Unsupported, e.Category);
        Assert.False(Driver.Exists("data", TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Create_WithSize_InspectShowsTheLimit()
    {
        Assert.SkipUnless(Can(VolumeCapabilities.SizeLimit), $"{Driver.Kind} cannot limit sizes");
        Driver.Create(NewVolume("data"), Spec(16 * MiB), TestContext.Current.CancellationToken);

        Assert.Equal(16 * MiB, Driver.Inspect("data", TestContext.Current.CancellationToken).SizeLimit);
        Assert.Equal(16 * MiB, NewDriver().Inspect("data", TestContext.Current.CancellationToken).SizeLimit);
    }

    [Fact]
    public void Write_PastTheSizeLimit_FailsWithNoSpace()
    {
        Assert.SkipUnless(Can(VolumeCapabilities.SizeLimit), $"{Driver.Kind} cannot limit sizes");
        var path = Driver.Create(NewVolume("data"), Spec(16 * MiB), TestContext.Current.CancellationToken);
        Write("data", path, "small", new byte[MiB]);

        var e = Assert.ThrowsAny<IOException>(() => Write("data", path, "big", new byte[32 * MiB]));

        Assert.Matches("No space left on device|Disk quota exceeded", e.Message);
    }

    [Fact]
    public void Create_AgainWithAnotherSize_ChangesTheLimitAndKeepsTheData()
    {
        Assert.SkipUnless(Can(VolumeCapabilities.SizeLimit), $"{Driver.Kind} cannot limit sizes");
        var path = Driver.Create(NewVolume("data"), Spec(16 * MiB), TestContext.Current.CancellationToken);
        Write("data", path, "f", [7]);

        Driver.Create("data", Spec(32 * MiB), TestContext.Current.CancellationToken);

        Assert.Equal(32 * MiB, Driver.Inspect("data", TestContext.Current.CancellationToken).SizeLimit);
        Assert.Equal([7], Read("data", path, "f"));
    }

    [Fact]
    public void Resize_Bigger_LetsTheWriteThrough()
    {
        Assert.SkipUnless(Can(VolumeCapabilities.SizeLimit), $"{Driver.Kind} cannot limit sizes");
        var path = Driver.Create(NewVolume("data"), Spec(16 * MiB), TestContext.Current.CancellationToken);

        Driver.Resize("data", 64 * MiB, TestContext.Current.CancellationToken);

        Write("data", path, "big", new byte[32 * MiB]);
        Assert.Equal(64 * MiB, Driver.Inspect("data", TestContext.Current.CancellationToken).SizeLimit);
    }

    [Fact]
    public void Resize_Missing_ThrowsNotFound()
    {
        Assert.SkipUnless(Can(VolumeCapabilities.SizeLimit), $"{Driver.Kind} cannot limit sizes");
        Assert.Equal(ErrorCategory.NotFound, Assert.Throws<VolumeException>(() => Driver.Resize(NewVolume("nope"), 16 * MiB, TestContext.Current.CancellationToken)).Category);
    }

    [Fact]
    public void Resize_WhenTheDriverCannotLimit_ThrowsUnsupported()
    {
        Assert.SkipWhen(Can(VolumeCapabilities.SizeLimit), $"{Driver.Kind} limits sizes");
        Driver.Create(NewVolume("data"), Spec(), TestContext.Current.CancellationToken);
        Assert.Equal(ErrorCategory.Unsupported, Assert.Throws<VolumeException>(() => Driver.Resize("data", 16 * MiB, TestContext.Current.CancellationToken)).Category);
    }

    [Fact]
    public void SnapshotThenRestore_ReturnsTheOldBytes()
    {
        Assert.SkipUnless(Can(VolumeCapabilities.Snapshot), $"{Driver.Kind} cannot snapshot");
        var path = Driver.Create(NewVolume("data"), Spec(), TestContext.Current.CancellationToken);
        Write("data", path, "f", "v1"u8.ToArray());

        Driver.Snapshot("data", "before", TestContext.Current.CancellationToken);
        Write("data", path, "f", "v2"u8.ToArray());
        Write("data", path, "later", [9]);
        Driver.Restore("data", "before", TestContext.Current.CancellationToken);

        Assert.Equal("v1"u8.ToArray(), Read("data", path, "f"));
        Assert.Null(Read("data", path, "later"));
        Assert.Equal(["before"], NewDriver().Inspect("data", TestContext.Current.CancellationToken).Snapshots);
        Assert.Equal(["data"], Driver.List(TestContext.Current.CancellationToken).Where(n => n == "data"));
    }

    [Fact]
    public void Restore_Twice_GivesTheSnapshotBothTimes()
    {
        Assert.SkipUnless(Can(VolumeCapabilities.Snapshot), $"{Driver.Kind} cannot snapshot");
        var path = Driver.Create(NewVolume("data"), Spec(), TestContext.Current.CancellationToken);
        Write("data", path, "f", "v1"u8.ToArray());
        Driver.Snapshot("data", "s1", TestContext.Current.CancellationToken);

        Driver.Restore("data", "s1", TestContext.Current.CancellationToken);
        Write("data", path, "f", "v2"u8.ToArray());
        Driver.Restore("data", "s1", TestContext.Current.CancellationToken);

        Assert.Equal("v1"u8.ToArray(), Read("data", path, "f"));
    }

    [Fact]
    public void Restore_KeepsTheSizeLimit()
    {
        Assert.SkipUnless(Can(VolumeCapabilities.Snapshot | VolumeCapabilities.SizeLimit), $"{Driver.Kind} cannot snapshot and limit");
        Driver.Create(NewVolume("data"), Spec(16 * MiB), TestContext.Current.CancellationToken);
        Driver.Snapshot("data", "s1", TestContext.Current.CancellationToken);

        Driver.Restore("data", "s1", TestContext.Current.CancellationToken);

        Assert.Equal(16 * MiB, Driver.Inspect("data", TestContext.Current.CancellationToken).SizeLimit);
    }

    [Fact]
    public void Snapshot_SameNameTwice_ThrowsAlreadyExists()
    {
        Assert.SkipUnless(Can(VolumeCapabilities.Snapshot), $"{Driver.Kind} cannot snapshot");
        Driver.Create(NewVolume("data"), Spec(), TestContext.Current.CancellationToken);
        Driver.Snapshot("data", "s1", TestContext.Current.CancellationToken);

        Assert.Equal(ErrorCategory.AlreadyExists, Assert.Throws<VolumeException>(() => Driver.Snapshot("data", "s1", TestContext.Current.CancellationToken)).Category);
    }

    [Fact]
    public void Restore_MissingSnapshot_ThrowsNotFound()
    {
        Assert.SkipUnless(Can(VolumeCapabilities.Snapshot), $"{Driver.Kind} cannot snapshot");
        Driver.Create(NewVolume("data"), Spec(), TestContext.Current.CancellationToken);

        Assert.Equal(ErrorCategory.NotFound, Assert.Throws<VolumeException>(() => Driver.Restore("data", "nope", TestContext.Current.CancellationToken)).Category);
    }

    [Fact]
    public void Snapshot_MissingVolume_ThrowsNotFound()
    {
        Assert.SkipUnless(Can(VolumeCapabilities.Snapshot), $"{Driver.Kind} cannot snapshot");
        Assert.Equal(ErrorCategory.NotFound, Assert.Throws<VolumeException>(() => Driver.Snapshot(NewVolume("nope"), "s1", TestContext.Current.CancellationToken)).Category);
    }

    [Fact]
    public void DeleteSnapshot_RemovesItAndAgainIsSuccess()
    {
        Assert.SkipUnless(Can(VolumeCapabilities.Snapshot), $"{Driver.Kind} cannot snapshot");
        Driver.Create(NewVolume("data"), Spec(), TestContext.Current.CancellationToken);
        Driver.Snapshot("data", "s1", TestContext.Current.CancellationToken);

        Driver.DeleteSnapshot("data", "s1", TestContext.Current.CancellationToken);
        Driver.DeleteSnapshot("data", "s1", TestContext.Current.CancellationToken);

        Assert.Empty(Driver.Inspect("data", TestContext.Current.CancellationToken).Snapshots);
    }

    [Fact]
    public void Delete_WithSnapshots_TakesThemToo()
    {
        Assert.SkipUnless(Can(VolumeCapabilities.Snapshot), $"{Driver.Kind} cannot snapshot");
        var path = Driver.Create(NewVolume("data"), Spec(), TestContext.Current.CancellationToken);
        Write("data", path, "f", [1]);
        Driver.Snapshot("data", "s1", TestContext.Current.CancellationToken);

        Driver.Delete("data", TestContext.Current.CancellationToken);
        Driver.Create("data", Spec(), TestContext.Current.CancellationToken);

        Assert.Empty(Driver.Inspect("data", TestContext.Current.CancellationToken).Snapshots);
        Assert.Null(Read("data", path, "f"));
    }

    [Fact]
    public void Snapshot_WhenTheDriverCannot_ThrowsUnsupported()
    {
        Assert.SkipWhen(Can(VolumeCapabilities.Snapshot), $"{Driver.Kind} snapshots");
        Driver.Create(NewVolume("data"), Spec(), TestContext.Current.CancellationToken);

        Assert.Equal(ErrorCategory.Unsupported, Assert.Throws<VolumeException>(() => Driver.Snapshot("data", "s1", TestContext.Current.CancellationToken)).Category);
        Assert.Equal(ErrorCategory.Unsupported, Assert.Throws<VolumeException>(() => Driver.Restore("data", "s1", TestContext.Current.CancellationToken)).Category);
    }
}
