namespace Islander.Model;

/// <summary>Create a bridge network that does not exist yet.</summary>
public sealed record CreateNetwork(string Name, NetworkSpec Spec) : PlanAction
{
    public override ObjectKey Target => new(ObjectKind.Network, Name);

    public override string Describe() => $"+ create network {Name}";
}
