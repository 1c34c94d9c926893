namespace Islander.Model;

/// <summary>
/// Stop the isle, then start it from its new spec: <see cref="SpecChangeKind.Restart"/> (a new process in the same isle)
/// or <see cref="SpecChangeKind.Recreate"/> (the isle made anew), as <see cref="IsleSpecRules.Needs"/> says for
/// <see cref="Changes"/>.
/// </summary>
public sealed record RecreateIsle(string Name, IsleSpec Spec, string SpecHash, string Reason) : PlanAction
{
    /// <summary>What the edit takes; <see cref="SpecChangeKind.Recreate"/> unless the changes say less.</summary>
    public SpecChangeKind Kind { get; init; } = SpecChangeKind.Recreate;

    /// <summary>The changed fields; empty when the running spec is not known (an isle started by an older islanderd).</summary>
    public IReadOnlyList<SpecChange> Changes { get; init; } = [];

    public override ObjectKey Target => new(ObjectKind.Isle, Name);

    public override string Describe() => Kind == SpecChangeKind.Restart
        ? $"~ restart isle {Name} with its new spec ({Reason})"
        : $"~ recreate isle {Name} ({Reason})";

    public override IReadOnlyList<string> Details => [.. Changes.Select(c => c.ToString())];
}
