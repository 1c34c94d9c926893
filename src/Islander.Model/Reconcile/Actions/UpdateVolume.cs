namespace Islander.Model;

/// <summary>Apply a changed size (the driver resizes in place) or reclaimPolicy (recorded only); the data is kept.</summary>
public sealed record UpdateVolume(string Name, VolumeSpec Spec) : PlanAction
{
    public override ObjectKey Target => new(ObjectKind.Volume, Name);

    public override string Describe() => $"~ update volume {Name} (size {(Spec.Size is { } size ? Quantity.FormatBytes(size) : "unlimited")}, reclaimPolicy {Spec.ReclaimPolicy})";
}
