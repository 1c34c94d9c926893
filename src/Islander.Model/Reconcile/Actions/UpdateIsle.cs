namespace Islander.Model;

/// <summary>
/// Apply a spec whose every changed field is <see cref="SpecChangeKind.Live"/> to the running isle in place: its cgroup
/// written (resources), the record's restart policy and stop settings replaced. Same process; nothing restarts.
/// </summary>
public sealed record UpdateIsle(string Name, IsleSpec Spec, string SpecHash, IReadOnlyList<SpecChange> Changes) : PlanAction
{
    public override ObjectKey Target => new(ObjectKind.Isle, Name);

    public override string Describe() => $"~ update isle {Name} live (same process: {string.Join(", ", Changes.Select(c => c.Field))})";

    public override IReadOnlyList<string> Details => [.. Changes.Select(c => c.ToString())];
}
