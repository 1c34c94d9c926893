namespace Islander.Model;

/// <summary>
/// What was found in one manifest file: <see cref="ManifestLoader.Load"/> returns it with the Model's
/// <see cref="Manifest"/>s; the daemon's parser returns the same result with its stored form of each object.
/// </summary>
/// <typeparam name="TObject">What a valid object is read as.</typeparam>
/// <param name="Objects">The objects that are valid, in file order.</param>
/// <param name="Rejected">
/// Objects whose kind and name could be read but which have errors. Keep their last good version running: DESIGN.md
/// says a bad manifest never changes running state, so these must not be pruned.
/// </param>
/// <param name="Diagnostics">Every problem, in file order.</param>
/// <param name="IsComplete">
/// False when some part of the file could not be identified at all (a YAML syntax error, a document without a
/// readable kind or name). The caller cannot know which objects the file meant to define, so it must not prune any
/// object that this file defined before.
/// </param>
public sealed record ManifestLoadResult<TObject>(
    IReadOnlyList<TObject> Objects,
    IReadOnlyList<ObjectKey> Rejected,
    IReadOnlyList<Diagnostic> Diagnostics,
    bool IsComplete)
{
    public bool HasErrors => Diagnostics.Count > 0;
}
