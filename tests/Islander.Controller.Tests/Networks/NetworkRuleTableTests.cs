using Islander.Controller.Reconcile;
using Islander.Drivers.Network;
using Islander.Testing;
using Islander.Model;

namespace Islander.Controller.Tests.Networks;

/// <summary>
/// One table of network cases run through both <c>islanderctl diff</c>'s rule (<see cref="StateDiff.Diff"/> over the
/// daemon's records) and the daemon's network pass (the controller over the fake network driver): the two must agree,
/// and agree with the table.
/// </summary>
public sealed class NetworkRuleTableTests
{
    public enum Outcome { Nothing, Create, Recreate, Update, Waits, Delete }

    /// <param name="Before">The network's spec fields before (null: no such network).</param>
    /// <param name="After">Its spec fields after (null: its manifest removed).</param>
    /// <param name="Users">Isles running on it throughout (they hold addresses on it).</param>
    public sealed record Case(string Name, string? Before, string? After, string[] Users, Outcome Expected)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<Case> Cases { get; } =
    [
        new Case("new network", null, "subnet: 10.88.0.0/24", [], Outcome.Create),
        new Case("new network without subnet", null, "", [], Outcome.Create),
        new Case("unchanged, used", "subnet: 10.88.0.0/24", "subnet: 10.88.0.0/24", ["a"], Outcome.Nothing),
        new Case("gateway written out as the first host", "subnet: 10.88.0.0/24", "subnet: 10.88.0.0/24, gateway: 10.88.0.1", ["a"], Outcome.Nothing),
        new Case("subnet left out keeps the given one", "subnet: 10.88.0.0/24", "", ["a"], Outcome.Nothing),
        new Case("subnet changed, used", "subnet: 10.88.0.0/24", "subnet: 10.99.0.0/24", ["a", "b"], Outcome.Waits),
        new Case("subnet changed, unused", "subnet: 10.88.0.0/24", "subnet: 10.99.0.0/24", [], Outcome.Recreate),
        new Case("gateway changed, used", "subnet: 10.88.0.0/24", "subnet: 10.88.0.0/24, gateway: 10.88.0.254", ["a"], Outcome.Waits),
        new Case("gateway changed, unused", "subnet: 10.88.0.0/24", "subnet: 10.88.0.0/24, gateway: 10.88.0.254", [], Outcome.Recreate),
        new Case("masquerade off, used", "subnet: 10.88.0.0/24", "subnet: 10.88.0.0/24, masquerade: false", ["a"], Outcome.Update),
        new Case("internal, used", "subnet: 10.88.0.0/24", "subnet: 10.88.0.0/24, internal: true", ["a"], Outcome.Update),
        new Case("internal, subnet left out, unused", "", "internal: true", [], Outcome.Update),
        new Case("removed, used", "subnet: 10.88.0.0/24", null, ["a"], Outcome.Waits),
        new Case("removed, unused", "subnet: 10.88.0.0/24", null, [], Outcome.Delete),
    ];

    static string NetworkYaml(string fields) =>
        $"apiVersion: islander.io/v1\nkind: Network\nmetadata: {{name: backend}}\nspec: {{{fields}}}\n";

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task DiffAndDaemon_AgreeOnTheNetworkRule(Case c)
    {
        using var h = new ControllerHarness(network: new FakeNetworkDriver());
        var driver = h.NetworkDriver!;
        if (c.Before is { } before) h.Write("net.yaml", NetworkYaml(before));
        foreach (var isle in c.Users) h.Write($"{isle}.yaml", ControllerHarness.IsleYaml(isle, extra: "  networks: [{name: backend}]"));
        await h.SyncAsync();
        for (int i = 0; i < c.Users.Length; i++)
        {
            Assert.Equal(IslePhase.Running, h.StateOf(c.Users[i]));
            foreach (var a in h.Runtime.PlanOf(c.Users[i])!.Networks) // attached as the real runtime does at start
                driver.Attach(a.Network, new IsleEndpoint(c.Users[i], NetworkNamespace.OfProcess(4242 + i), a.Ip, a.IfName, a.DefaultRoute), TestContext.Current.CancellationToken);
            Assert.Contains(("backend", c.Users[i]), driver.Attachments.Keys);
        }
        var bridgeBefore = driver.Networks.GetValueOrDefault("backend");
        var attachmentsBefore = driver.Attachments.Keys.ToHashSet();

        if (c.After is { } after) h.Write("net.yaml", NetworkYaml(after));
        else h.Remove("net.yaml");
        h.Source.Scan();
        // What islanderctl diff shows: the Model's plan for the desired state now, over what the records say exists.
        var plan = StateDiff.Diff(h.Desired.ToModel([]), ActualStates.Of(h.Store));
        await h.SettleAsync();

        Assert.Equal(c.Expected, OfPlan(plan));
        Assert.Equal(c.Expected, OfDaemon(h, bridgeBefore, attachmentsBefore));
        foreach (var isle in c.Users) Assert.Equal(IslePhase.Running, h.StateOf(isle)); // the network rule never touches its isles
    }

    static Outcome OfPlan(Plan plan)
    {
        var key = new ObjectKey(ObjectKind.Network, "backend");
        return plan.Actions.SingleOrDefault(a => a.Target == key) switch
        {
            CreateNetwork => Outcome.Create,
            RecreateNetwork => Outcome.Recreate,
            UpdateNetwork => Outcome.Update,
            DeleteNetwork => Outcome.Delete,
            null when plan.Problems.Any(p => p.Object == key) => Outcome.Waits,
            null => Outcome.Nothing,
            var other => throw new Xunit.Sdk.XunitException($"unexpected network action {other}"),
        };
    }

    /// <summary>What the daemon did, as the fake kernel and the network's record show it.</summary>
    static Outcome OfDaemon(ControllerHarness h, BridgeNetworkConfig? before, HashSet<(string, string)> attachmentsBefore)
    {
        var driver = h.NetworkDriver!;
        var record = h.Store.GetNetwork("backend");
        var now = driver.Networks.GetValueOrDefault("backend");
        if (before is null) return now is not null && record is { Ready: true } ? Outcome.Create : Outcome.Nothing;
        if (now is null) return record is null ? Outcome.Delete : throw new Xunit.Sdk.XunitException("bridge gone, record kept");
        // Whatever happened to the bridge, isles that keep their addresses keep their links.
        Assert.Equal(attachmentsBefore.Where(a => record!.Allocations.ContainsKey(a.Item2)), driver.Attachments.Keys.Where(attachmentsBefore.Contains));
        if (record!.Reason == "InUse")
        {
            Assert.Equal(before, now); // the bridge is kept as it was while it waits
            return Outcome.Waits;
        }
        if (!now.Subnet.Equals(before.Subnet) || !now.Gateway.Equals(before.Gateway)) return Outcome.Recreate;
        return now == before ? Outcome.Nothing : Outcome.Update;
    }
}
