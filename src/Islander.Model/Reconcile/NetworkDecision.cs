namespace Islander.Model;

/// <summary>
/// What to do with one network (<see cref="StateDiff.ForNetwork"/>): the unit of <see cref="StateDiff.Diff"/>'s network
/// rules, and what the controller's network pass carries out.
/// </summary>
/// <param name="Action">
/// <see cref="CreateNetwork"/>, <see cref="RecreateNetwork"/>, <see cref="UpdateNetwork"/> or <see cref="DeleteNetwork"/>;
/// null when there is nothing to do or a problem holds it back.
/// </param>
/// <param name="Problem">Why nothing is done although the desired and actual network differ (isles still hold addresses on it).</param>
public sealed record NetworkDecision(PlanAction? Action, string? Problem)
{
    public static NetworkDecision Nothing { get; } = new(null, null);
}
