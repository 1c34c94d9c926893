namespace Islander.Model;

/// <summary>
/// The ordered actions that make actual match desired, and the problems that held some objects back. Carrying
/// out the actions in order is always safe: networks and volumes exist before the isles that use them, isles
/// start after what they depend on, and isles are deleted before the networks and volumes they used.
/// </summary>
public sealed record Plan(IReadOnlyList<PlanAction> Actions, IReadOnlyList<PlanProblem> Problems)
{
    public static Plan Empty { get; } = new([], []);

    /// <summary>True when actual already matches desired (nothing to do, whatever the problems).</summary>
    public bool IsEmpty => Actions.Count == 0;

    /// <summary>One line per action, as <c>islanderctl diff</c> prints them.</summary>
    public override string ToString() => string.Join("\n", Actions.Select(a => a.Describe()).Concat(Problems.Select(p => $"! {p}")));
}
