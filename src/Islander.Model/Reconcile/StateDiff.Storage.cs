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
            if (!existing.TryGetValue(volume.Name, out var current))
            {
                actions.Add(new CreateVolume(volume.Name, volume.Spec));
            }
            else if (current.Spec with { ReclaimPolicy = volume.Spec.ReclaimPolicy } != volume.Spec)
            {
                // Changing the driver or size would mean destroying the data; islander never does that to apply a change.
                problems.Add(new PlanProblem(volume.Key,
                    $"its driver or size changed ({Describe(current.Spec)} → {Describe(volume.Spec)}); islander does not destroy data to apply that. " +
                    $"Copy the data out, delete the volume (islanderctl delete volume {volume.Name}), and apply again"));
            }
            else if (current.Spec.ReclaimPolicy != volume.Spec.ReclaimPolicy)
            {
                actions.Add(new UpdateVolume(volume.Name, volume.Spec));
            }
        }
        return actions;
    }

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
            if (volume.Spec.ReclaimPolicy == ReclaimPolicy.Retain) continue; // kept with its data; no longer managed
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
                problems.Add(new PlanProblem(key,
                    $"its manifest was removed but isle {string.Join(", ", usersAfter)} still uses it; it is deleted once no isle does"));
            }
            else if (usersBefore.Count > 0) later.Add(delete);
            else now.Add(delete);
        }
    }
}
