using Islander.Controller.Reconcile;
using Islander.Drivers.Network;
using Islander.Model;
using Islander.Testing;

namespace Islander.Controller.Tests.Networks;

/// <summary>Each network through the driver its manifest names, kept in its record: a second driver beside the bridge.</summary>
public sealed class NetworkDriverChoiceTests : IDisposable
{
    static readonly NetworkDriverKind Other = new("other");
    readonly FakeNetworkDriver _bridge = new();
    readonly FakeNetworkDriver _other = new(Other);
    readonly ControllerHarness _h;

    public NetworkDriverChoiceTests() => _h = new ControllerHarness(network: _bridge, secondNetwork: _other);

    static string NetworkYaml(string name, string subnet, string driver) =>
        $"apiVersion: islander.io/v1\nkind: Network\nmetadata: {{name: {name}}}\nspec: {{subnet: {subnet}, driver: {driver}}}\n";

    [Fact]
    public async Task Networks_EachMadeByItsDriver_RecordKeepsIt_AttachmentsNameIt()
    {
        _h.Write("net.yaml", NetworkYaml("front", "10.88.1.0/24", "bridge") + "---\n" + NetworkYaml("lan", "10.88.2.0/24", "other"));
        _h.Write("a.yaml", ControllerHarness.IsleYaml("a", extra: "  networks: [{name: front}, {name: lan}]\n"));
        await _h.SyncAsync();

        Assert.Equal(["front"], _bridge.Networks.Keys);
        Assert.Equal(["lan"], _other.Networks.Keys);
        Assert.Equal("bridge", _h.Store.GetNetwork("front")!.Driver);
        Assert.Equal("other", _h.Store.GetNetwork("lan")!.Driver);
        Assert.Equal(Other, ActualStates.Of(_h.Store.GetNetwork("lan")!).Spec.Driver);
        var plan = _h.Runtime.PlanOf("a")!;
        Assert.Equal([NetworkDriverKind.Bridge, Other], plan.Networks.Select(n => n.Driver));

        _h.Remove("a.yaml");
        _h.Remove("net.yaml");
        await _h.SyncAsync();
        Assert.Empty(_bridge.Networks); // each deleted by the driver that made it
        Assert.Empty(_other.Networks);
    }

    [Fact]
    public async Task DriverChanged_NobodyOnIt_OldDriverDeletesNewDriverMakes()
    {
        _h.Write("net.yaml", NetworkYaml("lan", "10.88.2.0/24", "other"));
        await _h.SyncAsync();
        Assert.Contains("lan", _other.Networks);

        _h.Write("net.yaml", NetworkYaml("lan", "10.88.2.0/24", "bridge"));
        await _h.SyncAsync();
        Assert.DoesNotContain("lan", _other.Networks);
        Assert.Contains("lan", _bridge.Networks);
        Assert.Equal("bridge", _h.Store.GetNetwork("lan")!.Driver);

        _h.Remove("net.yaml");
        await _h.SyncAsync();
        Assert.Empty(_bridge.Networks);
        Assert.Null(_h.Store.GetNetwork("lan"));
    }

    [Fact]
    public void For_UnknownDriver_Unsupported()
    {
        var e = Assert.Throws<NetworkException>(() => new NetworkDriverSet([_bridge]).For(Other));
        Assert.Equal(ErrorCategory.Unsupported, e.Category);
        Assert.Contains("other", e.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _h.Dispose();
}
