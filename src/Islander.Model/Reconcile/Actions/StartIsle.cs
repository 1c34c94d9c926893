namespace Islander.Model;

/// <summary>Create and start an isle, or finish creating one (see <see cref="StartReason"/>).</summary>
public sealed record StartIsle(string Name, IsleSpec Spec, string SpecHash, StartReason Reason) : PlanAction
{
    public override ObjectKey Target => new(ObjectKind.Isle, Name);

    public override string Describe() => $"+ start isle {Name} ({Reason})";
}
