using System.Text.Json.Nodes;
using Islander.Drivers.Interop;
using Islander.Drivers.Rootfs;
using Islander.Testing;

namespace Islander.Integration.Tests.Daemon;

/// <summary><c>resources.disk</c> through islanderd, where the state directory has no project quotas (ext4, as most installs).</summary>
[Collection(DaemonCollection.Name)]
public sealed class DaemonDiskLimitTests : IAsyncDisposable
{
    readonly DaemonHarness _h;

    public DaemonDiskLimitTests()
    {
        HostCaps.RequireRoot();
        _h = new DaemonHarness();
    }

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    [Fact]
    public async Task DiskLimitWithoutProjectQuotas_PhaseErrorSayingWhatToMount_NeverRetried_OtherIslesRun()
    {
        Assert.SkipUnless(new LayerQuota(_h.StateDir).Capability.Kind == LayerQuotaKind.None
                && FileSystemInterop.Statfs(_h.Dir).Type == FileSystemStats.Ext4Magic,
            $"needs the temp directory on ext4 without project quotas; {_h.Dir} is not");
        await _h.StartDaemonAsync();
        string limited = _h.NewName(), plain = _h.NewName();
        _h.WriteManifest("limited.yaml", _h.IsleYaml(limited, "echo started; exec sleep 1000", extraSpec: "  resources: {disk: 1Gi}\n"));
        _h.WriteManifest("plain.yaml", _h.IsleYaml(plain, "exec sleep 1000"));

        var failed = await _h.WaitIsleAsync(limited, i => DaemonHarness.Phase(i) == "Error", TimeSpan.FromSeconds(10), "Error");
        await _h.WaitRunningAsync(plain);
        await Task.Delay(1500, TestContext.Current.CancellationToken); // a back-off would have retried by now (the first retry is at once)

        Assert.Equal("StartError", (string?)failed["status"]?["reason"]);
        Assert.StartsWith("resources.disk needs the state directory on XFS mounted with prjquota", (string?)failed["status"]?["message"]);
        Assert.Contains($"{_h.StateDir} is on ext4: project quotas are off", (string?)failed["status"]?["message"]);
        var later = (await _h.GetIsleAsync(limited))!;
        Assert.Equal("Error", DaemonHarness.Phase(later));
        Assert.Equal(0, DaemonHarness.RestartCount(later));
        Assert.DoesNotContain("started", _h.Log(limited));
        var get = await _h.CtlAsync("get", "isles", limited, "-o", "json");
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.StartsWith("resources.disk needs", (string?)JsonNode.Parse(get.Stdout)!["status"]?["message"]);
    }
}
