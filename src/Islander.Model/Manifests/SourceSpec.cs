namespace Islander.Model;

/// <summary>
/// The spec of a <c>kind: Source</c>: a git repository whose manifests under <see cref="GitSource.Path"/> islanderd
/// fetches and applies, one revision at a time, as the owner <c>source/NAME</c> of the objects they define.
/// </summary>
public sealed record SourceSpec
{
    public GitSource Git { get; init; } = new();

    /// <summary>
    /// Remove an object when its manifest leaves the repository (the default), or keep it (false: it stays desired and
    /// running, released to the API), as Flux's <c>prune</c>.
    /// </summary>
    public bool Prune { get; init; } = true;
}
