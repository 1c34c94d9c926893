using System.Net;

namespace Islander.Model.Tests.Reconcile;

/// <summary><see cref="StateDiff.ForNetwork"/>: the one network rule of <c>islanderctl diff</c> and the daemon.</summary>
public class ForNetworkTests
{
    private static readonly NetworkSpec Given = new() { Subnet = IPNetwork.Parse("10.88.0.0/24") };
    private static readonly ActualNetwork Made = new("backend", Given with { Gateway = IPAddress.Parse("10.88.0.1") });

    [Fact]
    public void ForNetwork_New_Creates()
    {
        var decision = StateDiff.ForNetwork("backend", Given, null, []);

        Assert.Equal(new CreateNetwork("backend", Given), decision.Action);
        Assert.Null(decision.Problem);
    }

    [Fact]
    public void ForNetwork_Unchanged_DoesNothing() =>
        Assert.Equal(NetworkDecision.Nothing, StateDiff.ForNetwork("backend", Given, Made, ["web"]));

    [Fact]
    public void ForNetwork_GatewayLeftOutButItIsTheFirstHost_DoesNothing() =>
        Assert.Equal(NetworkDecision.Nothing, StateDiff.ForNetwork("backend", Given, Made with { Spec = Given }, []));

    [Fact]
    public void ForNetwork_SubnetLeftOut_KeepsTheSubnetItWasGiven()
    {
        var decision = StateDiff.ForNetwork("backend", new NetworkSpec(), Made, []);

        Assert.Equal(NetworkDecision.Nothing, decision);
    }

    [Fact]
    public void ForNetwork_SubnetLeftOutAndMasqueradeOff_UpdatesWithTheSubnetItWasGiven()
    {
        var decision = StateDiff.ForNetwork("backend", new NetworkSpec { Masquerade = false }, Made, ["web"]);

        var update = Assert.IsType<UpdateNetwork>(decision.Action);
        Assert.Equal(IPNetwork.Parse("10.88.0.0/24"), update.Spec.Subnet);
        Assert.False(update.Spec.Masquerade);
    }

    [Fact]
    public void ForNetwork_SubnetChangedWhileUsed_WaitsForItsIsles()
    {
        var decision = StateDiff.ForNetwork("backend", new NetworkSpec { Subnet = IPNetwork.Parse("10.99.0.0/24") }, Made, ["web", "db"]);

        Assert.Null(decision.Action);
        Assert.Equal("subnet 10.99.0.0/24 via 10.99.0.1 waits until no isle uses the network (db, web); islander does not renumber running isles", decision.Problem);
    }

    [Fact]
    public void ForNetwork_GatewayChangedWhileUnused_Recreates()
    {
        var wanted = Given with { Gateway = IPAddress.Parse("10.88.0.254") };

        var decision = StateDiff.ForNetwork("backend", wanted, Made, []);

        Assert.Equal(new RecreateNetwork("backend", wanted), decision.Action);
        Assert.Equal("~ recreate network backend (subnet 10.88.0.0/24 via 10.88.0.254)", decision.Action!.Describe());
    }

    [Fact]
    public void ForNetwork_InternalWhileUsed_UpdatesInPlace()
    {
        var decision = StateDiff.ForNetwork("backend", Given with { Internal = true, Masquerade = false }, Made, ["web"]);

        Assert.Equal("~ update network backend (masquerade off, internal on)", decision.Action?.Describe());
        Assert.Null(decision.Problem);
    }

    [Fact]
    public void ForNetwork_RemovedWhileUsed_WaitsThenDeletes()
    {
        var used = StateDiff.ForNetwork("backend", null, Made, ["web"]);
        var free = StateDiff.ForNetwork("backend", null, Made, []);

        Assert.Null(used.Action);
        Assert.Contains("isle web still uses it", used.Problem);
        Assert.Equal(new DeleteNetwork("backend"), free.Action);
    }

    [Fact]
    public void ForNetwork_RemovedAndGone_DoesNothing() =>
        Assert.Equal(NetworkDecision.Nothing, StateDiff.ForNetwork("backend", null, null, ["web"]));

    [Fact]
    public void ForNetwork_DriverChangedWhileUsed_WaitsLikeARenumbering()
    {
        var other = new NetworkDriverKind("macvlan");

        var used = StateDiff.ForNetwork("backend", Given with { Driver = other }, Made, ["web"]);
        var free = StateDiff.ForNetwork("backend", Given with { Driver = other }, Made, []);

        Assert.Equal("driver bridge → macvlan waits until no isle uses the network (web); islander does not renumber running isles", used.Problem);
        Assert.IsType<RecreateNetwork>(free.Action);
    }
}
