namespace Islander.Model;

/// <summary>
/// What exists of one isle, as the controller found it this pass: its record (LiteDB) checked against the kernel.
/// </summary>
/// <param name="Name">The isle's name.</param>
/// <param name="SpecHash">The <see cref="SpecHash.Of(IsleSpec)"/> of the spec it was created from.</param>
/// <param name="Phase">The recorded phase, already updated with any exit status the shim recorded.</param>
/// <param name="ProcessAlive">Whether the isle's init process is alive now (probed, not remembered).</param>
public sealed record ActualIsle(string Name, string SpecHash, IslePhase Phase, bool ProcessAlive)
{
    /// <summary>
    /// The spec it runs with, so an edit can be classified field by field (<see cref="IsleSpecRules"/>); null when not
    /// known (a record written by an islanderd before the rule): any edit then recreates it.
    /// </summary>
    public IsleSpec? Spec { get; init; }

    /// <summary>The exit code of the last run, when it ended.</summary>
    public int? ExitCode { get; init; }

    /// <summary>Networks it is attached to, so their deletion waits for the isle's.</summary>
    public IReadOnlyList<string> Networks { get; init; } = [];

    /// <summary>Named volumes it mounts, so their deletion waits for the isle's.</summary>
    public IReadOnlyList<string> Volumes { get; init; } = [];

    /// <summary>Its spec's dependsOn, so pruned isles stop dependents first.</summary>
    public IReadOnlyList<string> DependsOn { get; init; } = [];
}
