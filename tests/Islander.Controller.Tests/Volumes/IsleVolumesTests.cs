using Islander.Controller.Lifecycle;
using Islander.Controller.State;
using Islander.Drivers.Volumes;
using Islander.Model;
using Islander.Testing.Fakes;

namespace Islander.Controller.Tests.Volumes;

/// <summary>Named volumes wired into the controller, over the fake runtime and fake volume drivers (btrfs unavailable unless asked).</summary>
public sealed class IsleVolumesTests : IDisposable
{
    const string BtrfsMissing = "/var/lib/islander/volumes/btrfs is not on a btrfs filesystem; mkfs.btrfs a device and mount it there, or use driver dir";

    readonly FakeVolumeDriver _dir = new(VolumeDriverKind.Dir);
    readonly FakeVolumeDriver _tmpfs = new(new VolumeDriverKind("tmpfs"));
    readonly FakeVolumeDriver _btrfs = new(new VolumeDriverKind("btrfs"));
    readonly ControllerHarness _h;

    public IsleVolumesTests() => _h = new ControllerHarness(volumes: Drivers(btrfs: false));

    VolumeDriverSet Drivers(bool btrfs) => btrfs
        ? new VolumeDriverSet([_dir, _tmpfs, _btrfs])
        : new VolumeDriverSet([_dir, _tmpfs], new Dictionary<VolumeDriverKind, string> { [new VolumeDriverKind("btrfs")] = BtrfsMissing });

    static string VolumeYaml(string name, string spec) => $"apiVersion: islander.io/v1\nkind: Volume\nmetadata: {{name: {name}}}\nspec: {spec}\n";

    static string IsleOn(string name, string volume, string restart = "Always") =>
        ControllerHarness.IsleYaml(name, restart: restart, extra: $"  volumes: [{{name: {volume}, mountPath: /data}}]\n");

    VolumeRecord Volume(string name) => _h.Store.GetVolume(name) ?? throw new Xunit.Sdk.XunitException($"no record for volume {name}");

    [Fact]
    public async Task Volume_Created_ReadyWithDriverPathSizeAndUsage()
    {
        _h.Restart(Drivers(btrfs: true));
        _h.Write("v.yaml", VolumeYaml("data", "{driver: btrfs, size: 1Gi}"));
        await _h.SyncAsync();
        _btrfs.Write("data", "f", new byte[1000]);
        _h.Loop.EnqueueAll();
        await _h.SettleAsync();

        var record = Volume("data");
        Assert.Equal(VolumePhase.Ready, record.Phase);
        Assert.Equal(new VolumeDriverKind("btrfs"), record.Driver);
        Assert.Equal(_btrfs.PathOf("data"), record.Path);
        Assert.Equal(1L << 30, record.SizeLimit);
        Assert.Equal(1000, record.BytesUsed);
        Assert.True(_btrfs.Exists("data", TestContext.Current.CancellationToken));
        Assert.Contains(_h.Events.Recent(), e => e.Name == "data" && e.Reason == "Ready");
    }

    [Fact]
    public async Task Isle_OnVolume_StartsWithItsHostPathAndIsItsUser()
    {
        _h.Write("v.yaml", VolumeYaml("data", "{driver: dir}"));
        _h.Write("web.yaml", IsleOn("web", "data"));
        await _h.SyncAsync();

        Assert.Equal(IslePhase.Running, _h.StateOf("web"));
        Assert.Equal(_dir.PathOf("data"), _h.Runtime.PlanOf("web")!.VolumePaths["data"]);
        Assert.Equal(["web"], Volume("data").Users);
    }

    [Fact]
    public async Task Isle_VolumeDriverUnavailable_WaitsWithReason_StartsOnceTheVolumeIsReady()
    {
        _h.Write("v.yaml", VolumeYaml("data", "{driver: btrfs, size: 64Mi}"));
        _h.Write("web.yaml", IsleOn("web", "data"));
        await _h.SyncAsync();

        var volume = Volume("data");
        Assert.Equal(VolumePhase.Error, volume.Phase);
        Assert.Equal("DriverUnavailable", volume.Reason);
        Assert.Contains("mkfs.btrfs", volume.Message);
        Assert.Null(_h.Runtime.SpecOf("web"));
        Assert.Equal("WaitingForVolume", _h.Isle("web").Reason);
        Assert.Contains("volume data is not ready", _h.Isle("web").Message);

        _h.Restart(Drivers(btrfs: true)); // btrfs mounted where it belongs, daemon restarted
        await _h.SettleAsync();

        Assert.Equal(VolumePhase.Ready, Volume("data").Phase);
        Assert.Equal(IslePhase.Running, _h.StateOf("web"));
        Assert.Null(_h.Isle("web").Reason);
    }

    [Fact]
    public async Task Isle_VolumeFailsTransiently_WaitsThenIsWokenWhenTheVolumeBecomesReady()
    {
        _dir.NextError = new VolumeException("create volume data: mkdir: EBUSY", ErrorCategory.Transient);
        _h.Write("v.yaml", VolumeYaml("data", "{driver: dir}"));
        _h.Write("web.yaml", IsleOn("web", "data"));
        await _h.SyncAsync();

        Assert.Equal(VolumePhase.Error, Volume("data").Phase);
        Assert.Equal("WaitingForVolume", _h.Isle("web").Reason);

        await _h.AdvanceAsync(TimeSpan.FromSeconds(1)); // the loop's retry

        Assert.Equal(VolumePhase.Ready, Volume("data").Phase);
        Assert.Equal(IslePhase.Running, _h.StateOf("web"));
    }

    [Fact]
    public async Task RemovedVolume_Retain_KeepsTheData_EvenWithoutUsers()
    {
        _h.Write("v.yaml", VolumeYaml("data", "{driver: dir, reclaimPolicy: Retain}"));
        _h.Write("web.yaml", IsleOn("web", "data"));
        await _h.SyncAsync();
        _dir.Write("data", "greeting", "hello"u8.ToArray());

        _h.Remove("v.yaml");
        await _h.SyncAsync();

        Assert.Equal("Released", Volume("data").Reason);
        Assert.Equal(IslePhase.Running, _h.StateOf("web"));

        _h.Remove("web.yaml");
        await _h.SyncAsync();

        Assert.Null(_h.Store.GetVolume("data"));
        Assert.Equal("hello"u8.ToArray(), _dir.Read("data", "greeting"));

        _h.Write("v.yaml", VolumeYaml("data", "{driver: dir}")); // defined again: the same data
        await _h.SyncAsync();
        Assert.Equal(VolumePhase.Ready, Volume("data").Phase);
        Assert.Equal("hello"u8.ToArray(), _dir.Read("data", "greeting"));
    }

    [Fact]
    public async Task RemovedVolume_Delete_IsleKeepsRunning_DataGoesWithTheLastIsle()
    {
        _h.Write("v.yaml", VolumeYaml("data", "{driver: dir, reclaimPolicy: Delete}"));
        _h.Write("web.yaml", IsleOn("web", "data"));
        await _h.SyncAsync();
        var pid = _h.Isle("web").Pid;
        _dir.Write("data", "greeting", "hello"u8.ToArray());

        _h.Remove("v.yaml");
        await _h.SyncAsync();

        Assert.Equal(IslePhase.Running, _h.StateOf("web"));
        Assert.Equal(pid, _h.Isle("web").Pid);
        Assert.Equal("InUse", Volume("data").Reason);
        Assert.Contains("isle web still uses it", Volume("data").Message);
        Assert.True(_dir.Exists("data", TestContext.Current.CancellationToken));

        _h.Remove("web.yaml");
        await _h.SyncAsync();

        Assert.False(_dir.Exists("data", TestContext.Current.CancellationToken));
        Assert.Null(_h.Store.GetVolume("data"));
    }

    [Fact]
    public async Task DriverChange_Refused_VolumeAndDataStay()
    {
        _h.Restart(Drivers(btrfs: true));
        _h.Write("v.yaml", VolumeYaml("data", "{driver: dir}"));
        _h.Write("web.yaml", IsleOn("web", "data"));
        await _h.SyncAsync();
        _dir.Write("data", "greeting", "hello"u8.ToArray());

        _h.Write("v.yaml", VolumeYaml("data", "{driver: btrfs}"));
        await _h.SyncAsync();

        var record = Volume("data");
        Assert.Equal(VolumeDriverKind.Dir, record.Driver);
        Assert.Equal(VolumePhase.Ready, record.Phase);
        Assert.Equal("DriverChangeRefused", record.Reason);
        Assert.Contains("does not destroy or migrate data", record.Message);
        Assert.False(_btrfs.Exists("data", TestContext.Current.CancellationToken));
        Assert.Equal("hello"u8.ToArray(), _dir.Read("data", "greeting"));
        Assert.Equal(IslePhase.Running, _h.StateOf("web"));
    }

    [Fact]
    public async Task SizeChange_ResizesInPlace()
    {
        _h.Write("v.yaml", VolumeYaml("data", "{driver: tmpfs, size: 16Mi}"));
        await _h.SyncAsync();
        _tmpfs.Write("data", "f", new byte[100]);

        _h.Write("v.yaml", VolumeYaml("data", "{driver: tmpfs, size: 32Mi}"));
        await _h.SyncAsync();

        Assert.Equal(32L << 20, _tmpfs.Inspect("data", TestContext.Current.CancellationToken).SizeLimit);
        Assert.Equal(32L << 20, Volume("data").SizeLimit);
        Assert.Equal(100, _tmpfs.Inspect("data", TestContext.Current.CancellationToken).BytesUsed);
    }

    [Fact]
    public async Task Tmpfs_AfterReboot_IsMadeAgainBeforeTheIsleStarts()
    {
        _h.Write("v.yaml", VolumeYaml("data", "{driver: tmpfs}"));
        _h.Write("web.yaml", IsleOn("web", "data"));
        await _h.SyncAsync();

        _tmpfs.SimulateReboot();
        _h.Runtime.Kill("web", 9);
        await _h.SettleAsync();

        Assert.True(_tmpfs.Exists("data", TestContext.Current.CancellationToken));
        Assert.Equal(IslePhase.Running, _h.StateOf("web"));
    }

    [Fact]
    public async Task Restore_StopsTheIslesUsingTheVolume_RestoresThenTheyStartAgain()
    {
        _h.Write("v.yaml", VolumeYaml("data", "{driver: dir}"));
        _h.Write("web.yaml", IsleOn("web", "data"));
        _h.Write("other.yaml", ControllerHarness.IsleYaml("other"));
        await _h.SyncAsync();
        var pid = _h.Isle("web").Pid;
        var otherPid = _h.Isle("other").Pid;
        _dir.Write("data", "greeting", "v1"u8.ToArray());
        _h.Snapshots!.Snapshot("data", "s1");
        _dir.Write("data", "greeting", "v2"u8.ToArray());

        var result = await _h.Snapshots.RestoreAsync("data", "s1", TestContext.Current.CancellationToken);
        await _h.SettleAsync();

        Assert.Equal(["web"], result.Stopped);
        Assert.Equal(["web"], result.Restarted);
        Assert.Equal("v1"u8.ToArray(), _dir.Read("data", "greeting"));
        Assert.Equal(IslePhase.Running, _h.StateOf("web"));
        Assert.NotEqual(pid, _h.Isle("web").Pid);
        Assert.Equal(otherPid, _h.Isle("other").Pid);
        Assert.Equal(VolumePhase.Ready, Volume("data").Phase);
        Assert.Equal(["s1"], Volume("data").Snapshots);
    }

    [Fact]
    public async Task Restore_IsleWithRestartPolicyNever_IsStoppedAndSaidToStayStopped()
    {
        _h.Write("v.yaml", VolumeYaml("data", "{driver: dir}"));
        _h.Write("job.yaml", IsleOn("job", "data", restart: "Never"));
        await _h.SyncAsync();
        _h.Snapshots!.Snapshot("data", "s1");

        var result = await _h.Snapshots.RestoreAsync("data", "s1", TestContext.Current.CancellationToken);
        await _h.SettleAsync();

        Assert.Equal(["job"], result.Stopped);
        Assert.Empty(result.Restarted);
        Assert.Contains("isle job (restartPolicy Never) was stopped and stays stopped", result.Note);
        Assert.Equal(IslePhase.Failed, _h.StateOf("job"));
    }

    [Fact]
    public async Task Snapshot_Tmpfs_IsUnsupportedWithAMessage()
    {
        _h.Write("v.yaml", VolumeYaml("data", "{driver: tmpfs}"));
        await _h.SyncAsync();

        var e = Assert.Throws<VolumeException>(() => _h.Snapshots!.Snapshot("data", "s1"));

        Assert.Equal(ErrorCategory.Unsupported, e.Category);
        Assert.Contains("use driver btrfs", e.Message);
    }

    public void Dispose() => _h.Dispose();
}
