namespace Islander.Model;

/// <summary>
/// Delete and create a network whose subnet or gateway changed. Only planned while no isle holds an address on it
/// (<see cref="StateDiff.ForNetwork"/>), so no isle is cut off by it.
/// </summary>
public sealed record RecreateNetwork(string Name, NetworkSpec Spec) : PlanAction
{
    public override ObjectKey Target => new(ObjectKind.Network, Name);

    public override string Describe() => $"~ recreate network {Name} ({StateDiff.DescribeAddress(Spec)})";
}
