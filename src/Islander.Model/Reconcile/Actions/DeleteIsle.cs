namespace Islander.Model;

/// <summary>Remove a stopped isle no longer desired: cgroup, veths, rootfs snapshot, record.</summary>
public sealed record DeleteIsle(string Name) : PlanAction
{
    public override ObjectKey Target => new(ObjectKind.Isle, Name);

    public override string Describe() => $"- delete isle {Name}";
}
