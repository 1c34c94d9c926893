using Islander.Controller.State;
using Islander.Model;
using Islander.Testing.Fakes;

namespace Islander.Controller.Tests.Reconcile;

public sealed class LiveUpdateTests : IDisposable
{
    readonly ControllerHarness _h = new();

    public void Dispose() => _h.Dispose();

    static string Web(string memory) => ControllerHarness.IsleYaml("web", extra: $"  resources: {{memory: {memory}}}");

    [Fact]
    public async Task Reconcile_MemoryEdited_SamePidNewLimitEventRecordUpdated()
    {
        _h.Write("web.yaml", Web("64Mi"));
        await _h.SyncAsync();
        int pid = _h.Isle("web").Pid!.Value;

        _h.Write("web.yaml", Web("128Mi"));
        await _h.SyncAsync();

        Assert.Equal(pid, _h.Isle("web").Pid);
        Assert.Equal(1, _h.Runtime.Incarnations("web"));
        Assert.Equal(128L << 20, _h.Runtime.Read("web")!.MemoryLimitBytes);
        var e = Assert.Single(_h.Events.Recent(), e => e.Reason == Reasons.ResourcesUpdated);
        Assert.Equal($"generation 2, in place (pid {pid}): resources.memory 64Mi -> 128Mi", e.Message);
        Assert.Equal(2, _h.Isle("web").Generation);
        Assert.Equal(_h.Desired.Get(ObjectKey.Isle("web"))!.Object!.SpecHash, _h.Isle("web").SpecHash);

        _h.Loop.EnqueueAll(); // not done again
        await _h.SyncAsync();
        Assert.Single(_h.Events.Recent(), e => e.Reason == Reasons.ResourcesUpdated);
    }

    [Fact]
    public async Task Reconcile_MemoryBelowUsage_KeepsRunningWithOldLimitAndSaysWhyOnce()
    {
        _h.Write("web.yaml", Web("64Mi"));
        await _h.SyncAsync();
        int pid = _h.Isle("web").Pid!.Value;
        _h.Runtime.SetUsage("web", new FakeIsleUsage(MemoryBytes: 40L << 20));

        _h.Write("web.yaml", Web("16Mi"));
        await _h.SyncAsync();
        _h.Loop.EnqueueAll();
        await _h.SyncAsync();

        var record = _h.Isle("web");
        Assert.Equal(IslePhase.Running, record.State);
        Assert.Equal(pid, record.Pid);
        Assert.Equal(1, _h.Runtime.Incarnations("web"));
        Assert.Equal(64L << 20, _h.Runtime.Read("web")!.MemoryLimitBytes);
        Assert.Equal(Reasons.ResourcesUpdateFailed, record.Reason);
        Assert.Contains("memory limit 16Mi is below what isle web uses now (40Mi)", record.Message);
        Assert.Contains("runs on with its old limits", record.Message);
        Assert.Single(_h.Events.Recent(), e => e.Reason == Reasons.ResourcesUpdateFailed && e.Type == EventType.Warning);

        // The isle frees memory: the next pass applies the edit.
        _h.Runtime.SetUsage("web", new FakeIsleUsage(MemoryBytes: 8L << 20));
        _h.Loop.EnqueueAll();
        await _h.SyncAsync();
        Assert.Equal(16L << 20, _h.Runtime.Read("web")!.MemoryLimitBytes);
        Assert.Null(_h.Isle("web").Reason);
        Assert.Equal(pid, _h.Isle("web").Pid);
    }

    [Fact]
    public async Task Reconcile_KernelRefusesAWrite_OldLimitsStayNoRecreate()
    {
        _h.Write("web.yaml", Web("64Mi"));
        await _h.SyncAsync();
        _h.Runtime.UpdateFault = (_, _) => new IslanderException("write memory.limit_in_bytes: EBUSY", ErrorCategory.Transient);

        _h.Write("web.yaml", Web("32Mi"));
        await _h.SyncAsync();

        Assert.Equal(1, _h.Runtime.Incarnations("web"));
        Assert.Equal(64L << 20, _h.Runtime.Read("web")!.MemoryLimitBytes);
        Assert.Equal(Reasons.ResourcesUpdateFailed, _h.Isle("web").Reason);
        Assert.Equal(1, _h.Isle("web").Generation);
    }

    [Fact]
    public async Task Reconcile_RestartPolicyEdited_RecordTakesItSamePid()
    {
        _h.Write("web.yaml", ControllerHarness.IsleYaml("web"));
        await _h.SyncAsync();

        _h.Write("web.yaml", ControllerHarness.IsleYaml("web", restart: "Never"));
        await _h.SyncAsync();
        _h.Runtime.Exit("web", 1);
        await _h.SettleAsync();

        Assert.Equal(1, _h.Runtime.Incarnations("web"));
        Assert.Contains(_h.Events.Recent(), e => e.Reason == Reasons.SpecUpdated);
        Assert.Equal(IslePhase.Failed, _h.StateOf("web")); // Never, as edited: not restarted
    }
}
