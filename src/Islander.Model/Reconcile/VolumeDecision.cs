namespace Islander.Model;

/// <summary>
/// What to do with one volume (<see cref="StateDiff.ForVolume"/>): the unit of <see cref="StateDiff.Diff"/>'s volume
/// rules, and what the controller's per-volume pass asks for.
/// </summary>
/// <param name="Action"><see cref="CreateVolume"/>, <see cref="UpdateVolume"/> or <see cref="DeleteVolume"/>; null when there is nothing to do or a problem holds it back.</param>
/// <param name="Problem">Why nothing is done although the desired and actual volume differ (driver changed, still used).</param>
public sealed record VolumeDecision(PlanAction? Action, string? Problem)
{
    public static VolumeDecision Nothing { get; } = new(null, null);
}
