namespace Islander.Model;

/// <summary>
/// The reconciler's pure core: <c>Plan Diff(DesiredState, ActualState)</c>. No clock, no I/O; the same inputs give
/// the same plan, and a state already in sync gives an empty plan.
/// </summary>
/// <remarks>
/// Order of the plan:
/// <list type="number">
///   <item>isles no longer desired: stop (if alive), delete — dependents before what they depend on;</item>
///   <item>networks and volumes no longer desired that no remaining isle uses;</item>
///   <item>networks and volumes to create, recreate or update (<see cref="ForNetwork"/>, <see cref="ForVolume"/>);</item>
///   <item>isles to start, recreate or restart, in dependsOn order (ties by name);</item>
///   <item>networks and volumes no longer desired, and networks to renumber, that only the isles recreated in step 4
///   were using.</item>
/// </list>
/// Isles with problems (a dependsOn cycle, a reference to an undefined object, an address or host port clash) are
/// held back: no action, a <see cref="PlanProblem"/> instead. A held-back isle that exists is left running as it is,
/// since a bad manifest never changes running state.
/// </remarks>
public static partial class StateDiff
{
    public static Plan Diff(DesiredState desired, ActualState actual)
    {
        var problems = new List<PlanProblem>();
        var blocked = DesiredStateCheck.Run(desired);

        var desiredIsles = desired.Isles.ToDictionary(i => i.Name, StringComparer.Ordinal);
        var actualIsles = actual.Isles.ToDictionary(i => i.Name, StringComparer.Ordinal);

        var order = DependencyOrder.Sort(desiredIsles.Keys, n => desiredIsles[n].Spec.DependsOn, out var cycles);
        foreach (var (name, reason) in cycles) Block(blocked, name, reason);
        foreach (var (name, reasons) in blocked.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            problems.AddRange(reasons.Select(r => new PlanProblem(new ObjectKey(ObjectKind.Isle, name), r)));
        }

        var prune = PruneIsles(desiredIsles, actual.Isles);
        var isleActions = IsleActions(order, desiredIsles, actualIsles, blocked);
        var (networksNow, networkChanges, networksLater) = NetworkActions(desired, actual, desiredIsles, isleActions, problems);
        var volumeChanges = VolumeChanges(desired, actual, problems);
        var (volumesNow, volumesLater) = VolumeDeletions(desired, actual, desiredIsles, isleActions, problems);

        var actions = new List<PlanAction>();
        actions.AddRange(prune);
        actions.AddRange(networksNow);
        actions.AddRange(volumesNow);
        actions.AddRange(networkChanges);
        actions.AddRange(volumeChanges);
        actions.AddRange(isleActions);
        actions.AddRange(networksLater);
        actions.AddRange(volumesLater);
        return new Plan(actions, problems);
    }

    private static void Block(Dictionary<string, List<string>> blocked, string isle, string reason)
    {
        if (!blocked.TryGetValue(isle, out var list)) blocked[isle] = list = [];
        list.Add(reason);
    }

    /// <summary>Stop and delete isles that are no longer desired, dependents first.</summary>
    private static List<PlanAction> PruneIsles(Dictionary<string, IsleManifest> desired, IReadOnlyList<ActualIsle> actual)
    {
        var gone = actual.Where(a => !desired.ContainsKey(a.Name)).ToDictionary(a => a.Name, StringComparer.Ordinal);
        var order = DependencyOrder.Sort(gone.Keys, n => gone[n].DependsOn, out var cycles);
        var actions = new List<PlanAction>();
        foreach (var name in order.Reverse().Concat(cycles.Keys))
        {
            if (gone[name].ProcessAlive) actions.Add(new StopIsle(name));
            actions.Add(new DeleteIsle(name));
        }
        return actions;
    }
}
