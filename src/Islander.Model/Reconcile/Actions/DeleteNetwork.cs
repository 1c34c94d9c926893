namespace Islander.Model;

/// <summary>Delete a network no longer desired; no isle uses it any more by the time this runs.</summary>
public sealed record DeleteNetwork(string Name) : PlanAction
{
    public override ObjectKey Target => new(ObjectKind.Network, Name);

    public override string Describe() => $"- delete network {Name}";
}
