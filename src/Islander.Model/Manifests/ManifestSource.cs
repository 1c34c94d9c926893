namespace Islander.Model;

/// <summary>
/// Where a loaded object came from: the file name the loader was handed, and the line and column (1-based) where
/// its document starts. <see cref="Document"/> is the 0-based index of the document in a multi-document file.
/// </summary>
public sealed record ManifestSource(string File, int Line, int Column = 1, int Document = 0)
{
    /// <summary>For objects that did not come from a file (e.g. <c>islanderctl run</c>).</summary>
    public static ManifestSource None { get; } = new("", 0, 0);

    public override string ToString() => Line > 0 ? $"{File}:{Line}" : File;
}
