using System.Net;
using Islander.Drivers.Network;
using Islander.Drivers.Network.Firewall;
using Islander.Model;

namespace Islander.Drivers.Tests.Network.Firewall;

/// <summary>Rulesets against testdata/nft/*.nft (regenerate with ISLANDER_UPDATE_GOLDEN=1 and review the diff).</summary>
public class NftRulesetTests
{
    static BridgeNetworkConfig Net(string name, string subnet, bool masquerade = false, bool @internal = false)
    {
        var n = IPNetwork.Parse(subnet);
        var gw = n.BaseAddress.GetAddressBytes();
        gw[3] = 1;
        return new BridgeNetworkConfig(name, n, new IPAddress(gw), masquerade, @internal);
    }

    [Fact]
    public void Render_Empty_OnlyRemovesTheTable() =>
        Golden.AssertText("nft/empty.nft", NftRuleset.Render(FirewallConfig.Empty));

    [Fact]
    public void Render_OneMasqueradeNetwork() =>
        Golden.AssertText("nft/masquerade.nft", NftRuleset.Render(new FirewallConfig([Net("backend", "10.88.0.0/24", masquerade: true)], [])));

    [Fact]
    public void Render_IsolationInternalAndPorts()
    {
        var config = new FirewallConfig(
            [Net("front", "10.89.0.0/24", masquerade: true), Net("backend", "10.88.0.0/24", masquerade: true), Net("vault", "10.90.0.0/24", @internal: true)],
            [
                new PortPublication("web", IPAddress.Parse("10.89.0.2"), 8080, 18080),
                new PortPublication("dns", IPAddress.Parse("10.88.0.3"), 53, 5353, PortProtocol.Udp, IPAddress.Parse("192.0.2.10")),
            ]);
        Golden.AssertText("nft/full.nft", NftRuleset.Render(config));
    }

    [Fact]
    public void Render_InputOrderDoesNotMatter()
    {
        var a = Net("a", "10.1.0.0/24");
        var b = Net("b", "10.2.0.0/24");
        Assert.Equal(NftRuleset.Render(new FirewallConfig([a, b], [])), NftRuleset.Render(new FirewallConfig([b, a], [])));
    }
}
