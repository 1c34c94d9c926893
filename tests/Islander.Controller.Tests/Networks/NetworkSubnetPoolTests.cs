using System.Net;
using Islander.Controller.Networks;
using Islander.Model;

namespace Islander.Controller.Tests.Networks;

/// <summary>Networks without a subnet take their /24 from the config's <c>defaultSubnetPool</c>.</summary>
public sealed class NetworkSubnetPoolTests : IDisposable
{
    readonly ControllerHarness _h = new();

    static string NetworkYaml(string name) =>
        $"apiVersion: islander.io/v1\nkind: Network\nmetadata: {{name: {name}}}\nspec: {{}}\n";

    [Fact]
    public async Task FreeSubnet_ConfiguredPool_TakesItsSubnetsThenSaysItIsFull()
    {
        _h.Options.DefaultSubnetPool = IPNetwork.Parse("172.30.4.0/23");
        _h.Write("nets.yaml", NetworkYaml("a") + "---\n" + NetworkYaml("b") + "---\n" + NetworkYaml("c"));
        _h.Source.Scan();
        var reconciler = _h.Get<NetworkReconciler>();
        var ct = TestContext.Current.CancellationToken;

        await reconciler.ReconcileAsync("a", ct);
        await reconciler.ReconcileAsync("b", ct);
        var full = await Assert.ThrowsAsync<IslanderException>(() => reconciler.ReconcileAsync("c", ct));

        Assert.Equal("172.30.4.0/24", _h.Store.GetNetwork("a")!.Subnet);
        Assert.Equal("172.30.5.0/24", _h.Store.GetNetwork("b")!.Subnet);
        Assert.Equal(ErrorCategory.Conflict, full.Category);
        Assert.Contains("no free subnet left in 172.30.4.0/23", full.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _h.Dispose();
}
