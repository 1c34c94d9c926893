namespace Islander.Model;

/// <summary>Its process ended and its restart policy says to run it again. Restart is due now as far as the diff knows; the controller applies its backoff (the diff has no clock).</summary>
public sealed record RestartIsle(string Name, IsleSpec Spec, string SpecHash, RestartPolicy Policy, int? ExitCode) : PlanAction
{
    public override ObjectKey Target => new(ObjectKind.Isle, Name);

    public override string Describe() => $"~ restart isle {Name} (ended{(ExitCode is { } c ? $" with code {c}" : "")}, restartPolicy {Policy})";
}
