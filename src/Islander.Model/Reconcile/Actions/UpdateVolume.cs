namespace Islander.Model;

/// <summary>Record a changed reclaimPolicy; the data is not touched.</summary>
public sealed record UpdateVolume(string Name, VolumeSpec Spec) : PlanAction
{
    public override ObjectKey Target => new(ObjectKind.Volume, Name);

    public override string Describe() => $"~ update volume {Name} (reclaimPolicy {Spec.ReclaimPolicy})";
}
