using Islander.Model;

namespace Islander.Controller.Desired;

/// <summary>
/// The desired state of one key: its last good version (null if it never had one), who owns it
/// (<see cref="DesiredOwner"/>) and where within that owner it comes from (<see cref="Origin"/>: a manifest file's
/// path, or <see cref="State.DesiredRecord.ApiOrigin"/>), its generation (+1 per spec change) and the problems of its
/// current manifest. Problems never replace the last good version.
/// </summary>
public sealed record DesiredEntry(ObjectKey Key, DesiredOwner Owner, string Origin, long Generation, DesiredObject? Object,
    IReadOnlyList<string> ManifestProblems, DateTimeOffset CreatedAt)
{
    /// <summary>
    /// Other owners that define this key too, each with the problem shown on the object (the holder keeps it; the
    /// others' definitions are not applied).
    /// </summary>
    public IReadOnlyDictionary<string, string> Conflicts { get; init; } = Empty;

    /// <summary>
    /// An object its owner let go of when its manifest went (<c>prune: false</c> on the source, or the annotation
    /// <c>islander.io/prune: disabled</c>): it stays desired and running, now owned by the API (which may change or
    /// delete it), and the next owner that defines it again takes it back.
    /// </summary>
    public bool Released { get; init; }

    /// <summary>The problems of its own manifest, then those of other owners defining it too.</summary>
    public IReadOnlyList<string> Problems => Conflicts.Count == 0 ? ManifestProblems : [.. ManifestProblems, .. Conflicts.Values];

    public bool FromApi => Owner.IsApi;

    static readonly IReadOnlyDictionary<string, string> Empty = new SortedDictionary<string, string>(StringComparer.Ordinal);
}
