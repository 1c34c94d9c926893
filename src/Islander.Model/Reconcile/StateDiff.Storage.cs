namespace Islander.Model;

public static partial class StateDiff
{
    private static (List<PlanAction> Actions, HashSet<string> Recreated) NetworkChanges(DesiredState desired, ActualState actual)
    {
        var existing = actual.Networks.ToDictionary(n => n.Name, StringComparer.Ordinal);
        var actions = new List<PlanAction>();
        var recreated = new HashSet<string>(StringComparer.Ordinal);
        foreach (var network in desired.Networks.OrderBy(n => n.Name, StringComparer.Ordinal))
        {
            if (!existing.TryGetValue(network.Name, out var current)) actions.Add(new CreateNetwork(network.Name, network.Spec));
            else if (current.Spec != network.Spec)
            {
                actions.Add(new RecreateNetwork(network.Name, network.Spec));
                recreated.Add(network.Name);
            }
        }
        return (actions, recreated);
    }

    private static List<PlanAction> VolumeChanges(DesiredState desired, ActualState actual, List<PlanProblem> problems)
    {
        var existing = actual.Volumes.ToDictionary(v => v.Name, StringComparer.Ordinal);
        var actions = new List<PlanAction>();
        foreach (var volume in desired.Volumes.OrderBy(v => v.Name, StringComparer.Ordinal))
        {
            var decision = ForVolume(volume.Name, volume.Spec, existing.GetValueOrDefault(volume.Name), []);
            if (decision.Action is { } action) actions.Add(action);
            if (decision.Problem is { } problem) problems.Add(new PlanProblem(volume.Key, problem));
        }
        return actions;
    }

    /// <summary>
    /// What to do with one volume: the rule <see cref="Diff"/> applies to every volume, and the one the controller's
    /// per-volume pass applies. A new volume is created; a changed size or reclaimPolicy is an <see cref="UpdateVolume"/>
    /// (the driver resizes in place, data kept); a changed driver is a problem, never an action (islander does not
    /// destroy or migrate data to apply a change). A volume no longer desired is kept with its data under
    /// <see cref="ReclaimPolicy.Retain"/>, and deleted under <see cref="ReclaimPolicy.Delete"/> once
    /// <paramref name="users"/> is empty.
    /// </summary>
    /// <param name="name">The volume's name.</param>
    /// <param name="desired">Its desired spec; null when no manifest defines it any more.</param>
    /// <param name="actual">What exists of it, with the spec it was made with; null when nothing does.</param>
    /// <param name="users">Isles that stay and still use it; only a volume no longer desired looks at them.</param>
    public static VolumeDecision ForVolume(string name, VolumeSpec? desired, ActualVolume? actual, IReadOnlyCollection<string> users)
    {
        if (desired is not null)
        {
            if (actual is null) return new VolumeDecision(new CreateVolume(name, desired), null);
            if (actual.Spec.Driver != desired.Driver)
            {
                return new VolumeDecision(null,
                    $"its driver changed ({Describe(actual.Spec)} → {Describe(desired)}); islander does not destroy or migrate data to apply that. " +
                    $"Copy the data out, delete the volume (islanderctl delete volume {name}), and apply again; until then the {Describe(actual.Spec)} volume stays in use");
            }
            return actual.Spec == desired ? VolumeDecision.Nothing : new VolumeDecision(new UpdateVolume(name, desired), null);
        }
        if (actual is null || actual.Spec.ReclaimPolicy == ReclaimPolicy.Retain) return VolumeDecision.Nothing; // kept with its data
        return users.Count > 0
            ? new VolumeDecision(null, StillUsed(users))
            : new VolumeDecision(new DeleteVolume(name), null);
    }

    private static string StillUsed(IEnumerable<string> users) =>
        $"its manifest was removed but isle {string.Join(", ", users.Order(StringComparer.Ordinal))} still uses it; it is deleted once no isle does";

    private static string Describe(VolumeSpec spec) =>
        spec.Driver.ToString().ToLowerInvariant() + (spec.Size is { } size ? " " + Quantity.FormatBytes(size) : "");

    /// <summary>
    /// Deletions of networks and volumes that are no longer desired: now, when no isle that stays uses them; after the
    /// isle actions, when only isles recreated without them do; never, while an isle that stays still uses them.
    /// </summary>
    private static (List<PlanAction> Now, List<PlanAction> Later) StorageDeletions(
        DesiredState desired, ActualState actual, Dictionary<string, IsleManifest> desiredIsles,
        List<PlanAction> isleActions, List<PlanProblem> problems)
    {
        var replaced = isleActions.Select(a => a.Target.Name).ToHashSet(StringComparer.Ordinal);
        // Isles that stay: desired and existing. Before the isle actions they use what they were made with; after,
        // the ones that were (re)created use what their new spec names.
        var staying = actual.Isles.Where(a => desiredIsles.ContainsKey(a.Name)).ToList();

        var now = new List<PlanAction>();
        var later = new List<PlanAction>();

        var desiredNetworks = desired.Networks.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var network in actual.Networks.Where(n => !desiredNetworks.Contains(n.Name)).OrderBy(n => n.Name, StringComparer.Ordinal))
        {
            Place(new ObjectKey(ObjectKind.Network, network.Name), new DeleteNetwork(network.Name),
                a => a.Networks, s => s.Networks.Select(n => n.Name));
        }

        var desiredVolumes = desired.Volumes.Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var volume in actual.Volumes.Where(v => !desiredVolumes.Contains(v.Name)).OrderBy(v => v.Name, StringComparer.Ordinal))
        {
            if (ForVolume(volume.Name, null, volume, []).Action is null) continue; // Retain: kept with its data; no longer managed
            Place(new ObjectKey(ObjectKind.Volume, volume.Name), new DeleteVolume(volume.Name),
                a => a.Volumes, s => s.Volumes.Select(v => v.Name).OfType<string>());
        }
        return (now, later);

        void Place(ObjectKey key, PlanAction delete, Func<ActualIsle, IEnumerable<string>> usedBefore, Func<IsleSpec, IEnumerable<string>> usedAfter)
        {
            var usersBefore = staying.Where(a => usedBefore(a).Contains(key.Name)).Select(a => a.Name).ToList();
            var usersAfter = staying
                .Where(a => replaced.Contains(a.Name) ? usedAfter(desiredIsles[a.Name].Spec).Contains(key.Name) : usedBefore(a).Contains(key.Name))
                .Select(a => a.Name).Order(StringComparer.Ordinal).ToList();
            if (usersAfter.Count > 0)
            {
                problems.Add(new PlanProblem(key, StillUsed(usersAfter)));
            }
            else if (usersBefore.Count > 0) later.Add(delete);
            else now.Add(delete);
        }
    }
}
