namespace Islander.Model;

/// <summary>What islander made that still exists, checked against the kernel this pass.</summary>
public sealed record ActualState(
    IReadOnlyList<ActualIsle> Isles,
    IReadOnlyList<ActualNetwork> Networks,
    IReadOnlyList<ActualVolume> Volumes)
{
    public static ActualState Empty { get; } = new([], [], []);
}
