using Islander.Controller.Networks;
using Islander.Model;

namespace Islander.Controller.Tests.Networks;

/// <summary>
/// A network's pass gives the isles that name it a pass when it changed the network (made, updated): a ready network
/// lets them start. A pass that changed nothing, as every resync's, gives them none: the resync gives each its own.
/// </summary>
public sealed class NetworkRequeueTests : IDisposable
{
    readonly ControllerHarness _h = new();

    static string NetworkYaml(bool masquerade) =>
        $"apiVersion: islander.io/v1\nkind: Network\nmetadata: {{name: lan}}\nspec: {{subnet: 10.91.0.0/24, masquerade: {(masquerade ? "true" : "false")}}}\n";

    List<ObjectKey> Drain()
    {
        var keys = new List<ObjectKey>();
        while (_h.Queue.TryTake(out var key))
        {
            keys.Add(key);
            _h.Queue.Done(key);
        }
        return keys;
    }

    [Fact]
    public async Task NetworkPass_QueuesItsIsles_OnlyWhenItChangedTheNetwork()
    {
        var isle = ControllerHarness.IsleYaml("web", extra: "  networks: [{name: lan}]");
        _h.Write("lan.yaml", NetworkYaml(masquerade: true) + "---\n" + isle);
        _h.Source.Scan();
        var reconciler = _h.Get<NetworkReconciler>();
        var ct = TestContext.Current.CancellationToken;
        Drain();

        await reconciler.ReconcileAsync("lan", ct); // made
        Assert.Equal([ObjectKey.Isle("web")], Drain());

        await reconciler.ReconcileAsync("lan", ct); // a resync's pass: nothing to do
        Assert.Empty(Drain());

        _h.Write("lan.yaml", NetworkYaml(masquerade: false) + "---\n" + isle);
        _h.Source.Scan();
        Drain();
        await reconciler.ReconcileAsync("lan", ct); // updated in place
        Assert.Equal([ObjectKey.Isle("web")], Drain());
        Assert.False(_h.Store.GetNetwork("lan")!.Masquerade);
    }

    public void Dispose() => _h.Dispose();
}
