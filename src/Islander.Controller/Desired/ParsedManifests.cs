using Islander.Model;

namespace Islander.Controller.Desired;

/// <summary>
/// What a parser found in one file: the model's ManifestLoadResult in the controller's types.
/// </summary>
/// <param name="Objects">Valid objects, in file order.</param>
/// <param name="Rejected">Objects that could be identified but have errors: their last good version stays.</param>
/// <param name="Problems">Every problem, in file order.</param>
/// <param name="IsComplete">False when part of the file could not be identified at all (YAML syntax error): then no
/// object the file defined before may be pruned.</param>
public sealed record ParsedManifests(IReadOnlyList<DesiredObject> Objects, IReadOnlyList<ObjectKey> Rejected, IReadOnlyList<ManifestProblem> Problems, bool IsComplete);
