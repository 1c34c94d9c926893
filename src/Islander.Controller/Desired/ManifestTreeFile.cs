using Islander.Model;

namespace Islander.Controller.Desired;

/// <summary>
/// One manifest file of a <see cref="ManifestSnapshot"/>: <see cref="Path"/> is the name problems and objects' sources
/// use (under the tree's display root, stable across revisions), <see cref="RelativePath"/> its path inside the tree
/// ('/'-separated), <see cref="Result"/> what the daemon's parser made of it.
/// </summary>
public sealed record ManifestTreeFile(string Path, string RelativePath, ManifestLoadResult<DesiredObject> Result);
