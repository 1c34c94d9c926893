using Islander.Controller.Networks;
using Islander.Model;
using Islander.Testing;

namespace Islander.Controller.Tests.Networks;

/// <summary>
/// The network locks are narrow: a bridge being made for one network holds that network only. The fake driver's gate
/// holds one network's bridge-making (a slow kernel) while the test does unrelated work.
/// </summary>
public sealed class NetworkLocksTests : IDisposable
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    readonly ControllerHarness _h = new();
    readonly ManualResetEventSlim _entered = new();
    readonly ManualResetEventSlim _release = new();

    public NetworkLocksTests() => _h.NetworkDriver.EnsureGate = n =>
    {
        if (n.Name != "slow") return;
        _entered.Set();
        _release.Wait(Patience * 3); // longer than any wait of the test: only the test lets it go
    };

    static string NetworkYaml(string name, string? subnet) =>
        $"apiVersion: islander.io/v1\nkind: Network\nmetadata: {{name: {name}}}\nspec: {{{(subnet is null ? "" : $"subnet: {subnet}")}}}\n";

    /// <summary>Runs the pass of network "slow" until it is inside the driver's EnsureNetwork (holding its lock).</summary>
    Task HoldSlowPass()
    {
        var pass = Task.Run(() => _h.Get<NetworkReconciler>().ReconcileAsync("slow", CancellationToken.None));
        Assert.True(_entered.Wait(Patience), "the slow network's pass never reached the driver");
        return pass;
    }

    [Fact]
    public async Task Prepare_OnAnotherNetwork_WhileABridgeIsBeingMade_DoesNotWait()
    {
        _h.Write("nets.yaml", NetworkYaml("slow", "10.88.9.0/24") + "---\n" + NetworkYaml("fast", "10.88.1.0/24"));
        _h.Source.Scan();
        var slow = HoldSlowPass();

        var prepare = Task.Run(() => _h.Networking.Prepare("a", new IsleSpec { Networks = [new NetworkAttachment("fast")] }));
        bool done = await Task.WhenAny(prepare, Task.Delay(Patience, TestContext.Current.CancellationToken)) == prepare;
        _release.Set();
        await slow;

        Assert.True(done, "an address on network fast waited for the bridge of network slow");
        Assert.Equal("10.88.1.2", (await prepare).Attachments.Single().Ip.ToString());
    }

    [Fact]
    public async Task TwoNetworksWithoutSubnet_MadeAtOnce_GetDifferentSubnets()
    {
        _h.Write("nets.yaml", NetworkYaml("slow", null) + "---\n" + NetworkYaml("other", null));
        _h.Source.Scan();
        var slow = HoldSlowPass(); // has picked its subnet, not saved it yet

        await _h.Get<NetworkReconciler>().ReconcileAsync("other", TestContext.Current.CancellationToken);
        _release.Set();
        await slow;

        var (a, b) = (_h.Store.GetNetwork("slow")!, _h.Store.GetNetwork("other")!);
        Assert.True(a.Ready && b.Ready);
        Assert.Equal("10.89.0.0/24", a.Subnet);
        Assert.Equal("10.89.1.0/24", b.Subnet);
    }

    public void Dispose()
    {
        _release.Set();
        _h.Dispose();
    }
}
