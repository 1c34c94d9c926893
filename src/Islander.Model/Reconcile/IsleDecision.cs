namespace Islander.Model;

/// <summary>
/// What to do with one desired isle: the unit <see cref="StateDiff.Diff"/> is made of, and what the controller's
/// per-isle pass asks for (<see cref="StateDiff.ForIsle"/>). The Model decides <em>what</em>; the controller decides
/// <em>when</em> (back-off, waiting for dependencies) and <em>how</em> (lifecycle, runtime, events).
/// </summary>
/// <param name="Action">
/// <see cref="StartIsle"/>, <see cref="RecreateIsle"/> or <see cref="RestartIsle"/>; null when there is nothing to
/// do or when <see cref="Problems"/> hold the isle back.
/// </param>
/// <param name="Problems">Why the isle is held back (its manifest names what is not there, a dependsOn cycle, ...).</param>
public sealed record IsleDecision(PlanAction? Action, IReadOnlyList<string> Problems)
{
    public static IsleDecision Nothing { get; } = new(null, []);

    /// <summary>
    /// The action that would be due but <see cref="Problems"/> hold back; null when there is none (an isle that runs as
    /// desired is not disturbed by its problems: a bad manifest never changes running state).
    /// </summary>
    public PlanAction? HeldBack { get; init; }

    /// <summary>
    /// Whether the action waits until every dependsOn isle runs (or has completed). Docker Compose's rule: a first
    /// start and a recreate wait; a restart, a start after back-off and finishing an interrupted start do not.
    /// </summary>
    public bool WaitsForDependencies => Action is StartIsle { Reason: StartReason.New } or RecreateIsle;
}
