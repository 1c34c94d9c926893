namespace Islander.Model;

/// <summary>Create a volume that does not exist yet.</summary>
public sealed record CreateVolume(string Name, VolumeSpec Spec) : PlanAction
{
    public override ObjectKey Target => new(ObjectKind.Volume, Name);

    public override string Describe() => $"+ create volume {Name}";
}
