namespace Islander.Model;

/// <summary>Delete a volume no longer desired whose reclaimPolicy is Delete, with its data. Retained volumes get no action.</summary>
public sealed record DeleteVolume(string Name) : PlanAction
{
    public override ObjectKey Target => new(ObjectKind.Volume, Name);

    public override string Describe() => $"- delete volume {Name} and its data (reclaimPolicy Delete)";
}
