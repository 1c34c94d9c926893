using System.Net;

namespace Islander.Model;

public static partial class StateDiff
{
    /// <summary>
    /// What to do with one network: the rule <see cref="Diff"/> applies to every network, and the one the controller's
    /// network pass carries out. A new network is created. A network whose spec names no subnet keeps the subnet it
    /// was given, so a missing <c>subnet</c> is no change. A changed subnet or gateway is a <see cref="RecreateNetwork"/>
    /// while no isle holds an address on the network, and waits (a problem, no action) while one does: islander does not
    /// renumber running isles. A changed driver is the same: the network is made anew. A changed masquerade or internal
    /// setting is an <see cref="UpdateNetwork"/>, applied in place whoever uses the network. A network no longer desired
    /// is deleted once <paramref name="users"/> is empty.
    /// </summary>
    /// <param name="name">The network's name.</param>
    /// <param name="desired">Its desired spec; null when no manifest defines it any more.</param>
    /// <param name="actual">What exists of it, with the subnet and gateway it was given; null when nothing does.</param>
    /// <param name="users">Isles that hold an address on it and keep it (the controller: its allocations).</param>
    public static NetworkDecision ForNetwork(string name, NetworkSpec? desired, ActualNetwork? actual, IReadOnlyCollection<string> users)
    {
        if (desired is null)
        {
            if (actual is null) return NetworkDecision.Nothing;
            return users.Count > 0 ? new NetworkDecision(null, StillUsed(users)) : new NetworkDecision(new DeleteNetwork(name), null);
        }
        if (actual?.Spec.Subnet is not { } subnet) return new NetworkDecision(new CreateNetwork(name, desired), null);

        var want = Resolved(desired with { Subnet = desired.Subnet ?? subnet });
        var have = Resolved(actual.Spec);
        if (want == have) return NetworkDecision.Nothing;
        if (want.Subnet!.Equals(have.Subnet) && want.Gateway!.Equals(have.Gateway) && want.Driver == have.Driver)
            return new NetworkDecision(new UpdateNetwork(name, want), null);
        if (users.Count == 0) return new NetworkDecision(new RecreateNetwork(name, want), null);
        var change = want.Driver == have.Driver ? DescribeAddress(want) : $"driver {have.Driver} → {want.Driver}";
        return new NetworkDecision(null,
            $"{change} waits until no isle uses the network ({string.Join(", ", users.Order(StringComparer.Ordinal))}); " +
            "islander does not renumber running isles");
    }

    /// <summary>
    /// A spec with its subnet given: the gateway filled in (the subnet's first host), so that two specs of the same
    /// network compare equal exactly when the bridge would be the same.
    /// </summary>
    private static NetworkSpec Resolved(NetworkSpec spec) =>
        spec.Gateway is null && spec.Subnet is { } subnet ? spec with { Gateway = NetworkSpecReader.FirstHost(subnet) } : spec;

    /// <summary><c>subnet 10.88.0.0/24 via 10.88.0.1</c>, as plans and statuses print a network's address.</summary>
    public static string DescribeAddress(NetworkSpec spec) =>
        spec.Subnet is { } subnet ? $"subnet {subnet} via {spec.Gateway ?? NetworkSpecReader.FirstHost(subnet)}" : "subnet picked when created";

    /// <summary>
    /// The plan's network actions: deletions that can run at once, creates and changes (before the isles), and what
    /// waits until the isle actions have moved the last isles off a network (after them).
    /// </summary>
    private static (List<PlanAction> Now, List<PlanAction> Changes, List<PlanAction> Later) NetworkActions(
        DesiredState desired, ActualState actual, Dictionary<string, IsleManifest> desiredIsles,
        List<PlanAction> isleActions, List<PlanProblem> problems)
    {
        var wanted = desired.Networks.ToDictionary(n => n.Name, n => n.Spec, StringComparer.Ordinal);
        var existing = actual.Networks.ToDictionary(n => n.Name, StringComparer.Ordinal);
        var (now, changes, later) = (new List<PlanAction>(), new List<PlanAction>(), new List<PlanAction>());
        foreach (var name in wanted.Keys.Union(existing.Keys).Order(StringComparer.Ordinal))
        {
            var (before, after) = Users(actual, desiredIsles, isleActions, a => a.Networks, s => s.Networks.Select(n => n.Name), name);
            var decision = ForNetwork(name, wanted.GetValueOrDefault(name), existing.GetValueOrDefault(name), after);
            if (decision.Problem is { } problem) problems.Add(new PlanProblem(new ObjectKey(ObjectKind.Network, name), problem));
            switch (decision.Action)
            {
                case null:
                    break;
                case DeleteNetwork or RecreateNetwork when before.Count > 0:
                    later.Add(decision.Action); // the isles that hold addresses on it now leave it first
                    break;
                case DeleteNetwork:
                    now.Add(decision.Action);
                    break;
                default:
                    changes.Add(decision.Action);
                    break;
            }
        }
        return (now, changes, later);
    }

    /// <summary>
    /// Which isles that stay (desired and existing) use an object before the plan's isle actions, and which after:
    /// before, those made with it; after, the (re)created ones whose new spec names it and the others made with it.
    /// </summary>
    private static (List<string> Before, List<string> After) Users(
        ActualState actual, Dictionary<string, IsleManifest> desiredIsles, List<PlanAction> isleActions,
        Func<ActualIsle, IEnumerable<string>> usedBefore, Func<IsleSpec, IEnumerable<string>> usedAfter, string name)
    {
        var replaced = isleActions.Select(a => a.Target.Name).ToHashSet(StringComparer.Ordinal);
        var staying = actual.Isles.Where(a => desiredIsles.ContainsKey(a.Name)).ToList();
        var before = staying.Where(a => usedBefore(a).Contains(name)).Select(a => a.Name).Order(StringComparer.Ordinal).ToList();
        var after = staying
            .Where(a => replaced.Contains(a.Name) ? usedAfter(desiredIsles[a.Name].Spec).Contains(name) : usedBefore(a).Contains(name))
            .Select(a => a.Name).Order(StringComparer.Ordinal).ToList();
        return (before, after);
    }
}
