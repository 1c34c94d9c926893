using Islander.Model;

namespace Islander.Controller.Desired;

/// <summary>
/// A whole manifests tree as it was at one moment (<see cref="ManifestTree.Load"/>): every manifest file, read from one
/// resolution of the root, or, when the tree could not be read completely, none and <see cref="Unavailable"/> saying
/// why. An unavailable snapshot says nothing about what is desired: callers apply nothing and prune nothing.
/// </summary>
/// <param name="Root">The root as given (the configured directory, or a source's checkout path).</param>
/// <param name="ResolvedRoot">
/// The directory the files were read from: <see cref="Root"/> with every symbolic link resolved, once, before listing.
/// A tree swapped by a symbolic link (git-sync) is read from one revision, never two. Null when unavailable.
/// </param>
/// <param name="Files">The manifest files, sorted by <see cref="ManifestTreeFile.RelativePath"/> (ordinal).</param>
/// <param name="Unavailable">Why the tree could not be read completely, or null.</param>
public sealed record ManifestSnapshot(string Root, string? ResolvedRoot, IReadOnlyList<ManifestTreeFile> Files, string? Unavailable)
{
    /// <summary>True when every file of the tree was listed and read (the contents may still have problems).</summary>
    public bool IsAvailable => Unavailable is null;

    /// <summary>The form <see cref="DesiredStore.ReplaceFiles"/> takes.</summary>
    public IReadOnlyList<(string File, ManifestLoadResult<DesiredObject> Result)> Results =>
        Files.Select(f => (f.Path, f.Result)).ToList();

    /// <summary>
    /// Every problem of the tree, in file order, each one line that starts with where (<c>file:line:col: field: why</c>,
    /// <see cref="Diagnostic"/>'s form): <see cref="Unavailable"/>, each file's diagnostics, then each object defined
    /// more than once (which <see cref="DesiredStore.ReplaceFiles"/> refuses too). Empty when the tree is valid.
    /// </summary>
    public IReadOnlyList<string> Problems => _problems ??= FindProblems();

    /// <summary>No problem at all: what a source requires of a revision before it applies any of it.</summary>
    public bool IsValid => Problems.Count == 0;

    /// <summary>Every valid object of the tree (for a key defined more than once, each definition).</summary>
    public IEnumerable<DesiredObject> Objects => Files.SelectMany(f => f.Result.Objects);

    IReadOnlyList<string>? _problems;

    List<string> FindProblems()
    {
        var problems = new List<string>();
        if (Unavailable is not null) problems.Add(Unavailable);
        foreach (var file in Files) problems.AddRange(file.Result.Diagnostics.Select(d => d.ToString()));
        var definers = new Dictionary<ObjectKey, List<string>>();
        foreach (var obj in Objects)
        {
            if (!definers.TryGetValue(obj.Key, out var list)) definers[obj.Key] = list = new();
            list.Add(obj.Source);
        }
        foreach (var (key, sources) in definers.Where(d => d.Value.Count > 1).OrderBy(d => d.Key))
            problems.Add($"{sources[1]}: {DesiredStore.DefinedMoreThanOnce(key, sources)}");
        return problems;
    }
}
