namespace Islander.Model;

/// <summary>Delete and create a network whose spec changed; the isles attached to it are recreated after it.</summary>
public sealed record RecreateNetwork(string Name, NetworkSpec Spec) : PlanAction
{
    public override ObjectKey Target => new(ObjectKind.Network, Name);

    public override string Describe() => $"~ recreate network {Name} (its spec changed)";
}
