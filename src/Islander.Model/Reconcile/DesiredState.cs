namespace Islander.Model;

/// <summary>Every valid object the user asked for: from the manifests directory and from <c>islanderctl apply</c>.</summary>
public sealed record DesiredState(
    IReadOnlyList<IsleManifest> Isles,
    IReadOnlyList<NetworkManifest> Networks,
    IReadOnlyList<VolumeManifest> Volumes)
{
    public static DesiredState Empty { get; } = new([], [], []);

    /// <summary>
    /// Sorts objects by kind. Throws <see cref="IslanderException"/> (Conflict) when two objects share a key: the
    /// caller (which knows which file or API call wins) must settle that first.
    /// </summary>
    public static DesiredState From(IEnumerable<Manifest> objects)
    {
        var list = objects.ToList();
        var duplicate = list.GroupBy(o => o.Key).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new IslanderException(
                $"{duplicate.Key} is defined more than once ({string.Join(", ", duplicate.Select(o => o.Source))})",
                ErrorCategory.Conflict);
        }
        return new DesiredState(
            list.OfType<IsleManifest>().ToList(),
            list.OfType<NetworkManifest>().ToList(),
            list.OfType<VolumeManifest>().ToList());
    }
}
