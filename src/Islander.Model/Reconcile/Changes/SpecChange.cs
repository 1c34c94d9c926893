namespace Islander.Model;

/// <summary>
/// One field of an isle's spec that differs between the spec it runs with and the desired one, and what that takes
/// (<see cref="IsleSpecRules"/>).
/// </summary>
/// <param name="Field">The manifest's path below <c>spec</c>: <c>resources.memory</c>, <c>command</c>.</param>
/// <param name="Before">The running value as a manifest would write it (<c>64Mi</c>); null when unset.</param>
/// <param name="After">The desired value; null when unset.</param>
public sealed record SpecChange(string Field, string? Before, string? After, SpecChangeKind Kind)
{
    /// <summary><c>~ spec.resources.memory: 64Mi -> 128Mi (live)</c>, as <c>islanderctl diff</c> prints it.</summary>
    public override string ToString() =>
        $"~ spec.{Field}: {Before ?? "(unset)"} -> {After ?? "(unset)"} ({Kind.ToString().ToLowerInvariant()})";
}
