using Islander.Controller.State;
using Islander.Controller.Volumes;
using Islander.Drivers.Volumes;
using Islander.Model;
using Islander.Testing.Fakes;

namespace Islander.Controller.Tests.Volumes;

/// <summary>
/// The volume locks are narrow: a volume whose usage takes long to read (a dir volume's tree walk, held here by the
/// fake driver's gate) holds up neither another isle's start nor the API's view of another volume.
/// </summary>
public sealed class VolumeLocksTests : IDisposable
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    readonly FakeVolumeDriver _dir = new(VolumeDriverKind.Dir);
    readonly ControllerHarness _h;
    readonly ManualResetEventSlim _entered = new();
    readonly ManualResetEventSlim _release = new();
    volatile bool _gated;

    public VolumeLocksTests()
    {
        _h = new ControllerHarness(volumes: new VolumeDriverSet([_dir]));
        _dir.InspectGate = name =>
        {
            if (!_gated || name != "big") return;
            _entered.Set();
            _release.Wait(Patience * 3); // longer than any wait of the test: only the test lets it go
        };
    }

    static string VolumeYaml(string name) => $"apiVersion: islander.io/v1\nkind: Volume\nmetadata: {{name: {name}}}\nspec: {{driver: dir}}\n";

    [Fact]
    public async Task VolumePass_WalkingOneVolume_HoldsUpNeitherAnotherIslesStartNorTheApi()
    {
        _h.Write("v.yaml", VolumeYaml("big") + "---\n" + VolumeYaml("small"));
        await _h.SyncAsync();
        Assert.Equal(VolumePhase.Ready, _h.Store.GetVolume("small")!.Phase);
        _gated = true;
        var pass = Task.Run(() => _h.Get<VolumeReconciler>().ReconcileAsync("big", CancellationToken.None));
        Assert.True(_entered.Wait(Patience), "the pass of volume big never inspected it");

        var work = Task.Run(() =>
        {
            using var claim = _h.Volumes.Prepare("web", new IsleSpec { Volumes = [new VolumeMount { Name = "small", MountPath = "/data" }] });
            return (claim.Paths["small"], _h.Volumes.Current("small")!.Phase);
        });
        bool done = await Task.WhenAny(work, Task.Delay(Patience, TestContext.Current.CancellationToken)) == work;
        _release.Set();
        await pass;

        Assert.True(done, "a start on volume small, or its view, waited for the walk of volume big");
        Assert.Equal((_dir.PathOf("small"), VolumePhase.Ready), await work);
    }

    public void Dispose()
    {
        _release.Set();
        _h.Dispose();
    }
}
