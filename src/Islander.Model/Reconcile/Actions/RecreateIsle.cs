namespace Islander.Model;

/// <summary>Stop and remove an isle, then create and start it from its new spec.</summary>
public sealed record RecreateIsle(string Name, IsleSpec Spec, string SpecHash, string Reason) : PlanAction
{
    public override ObjectKey Target => new(ObjectKind.Isle, Name);

    public override string Describe() => $"~ recreate isle {Name} ({Reason})";
}
