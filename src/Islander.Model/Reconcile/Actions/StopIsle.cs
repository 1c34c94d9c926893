namespace Islander.Model;

/// <summary>Stop an isle no longer desired: its stopSignal, then SIGKILL after its stopTimeout.</summary>
public sealed record StopIsle(string Name) : PlanAction
{
    public override ObjectKey Target => new(ObjectKind.Isle, Name);

    public override string Describe() => $"- stop isle {Name}";
}
