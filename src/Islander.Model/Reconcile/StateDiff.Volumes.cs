namespace Islander.Model;

public static partial class StateDiff
{
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
        spec.Driver.Name + (spec.Size is { } size ? " " + Quantity.FormatBytes(size) : "");

    /// <summary>
    /// Deletions of volumes that are no longer desired: now, when no isle that stays uses them; after the isle actions,
    /// when only isles recreated without them do; never, while an isle that stays still uses them.
    /// </summary>
    private static (List<PlanAction> Now, List<PlanAction> Later) VolumeDeletions(
        DesiredState desired, ActualState actual, Dictionary<string, IsleManifest> desiredIsles,
        List<PlanAction> isleActions, List<PlanProblem> problems)
    {
        var now = new List<PlanAction>();
        var later = new List<PlanAction>();
        var desiredVolumes = desired.Volumes.Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var volume in actual.Volumes.Where(v => !desiredVolumes.Contains(v.Name)).OrderBy(v => v.Name, StringComparer.Ordinal))
        {
            var (before, after) = Users(actual, desiredIsles, isleActions, a => a.Volumes, s => s.Volumes.Select(v => v.Name).OfType<string>(), volume.Name);
            var decision = ForVolume(volume.Name, null, volume, after);
            if (decision.Problem is { } problem) problems.Add(new PlanProblem(new ObjectKey(ObjectKind.Volume, volume.Name), problem));
            if (decision.Action is { } delete) (before.Count > 0 ? later : now).Add(delete);
        }
        return (now, later);
    }
}
