namespace Islander.Model.Api;

/// <summary>
/// <c>POST preview</c>: manifests as the daemon would read them from its manifests directory or a source's tree
/// (<c>islanderctl diff -f DIR</c>). <see cref="Owner"/> is <c>files</c>, <c>source/NAME</c>, <c>api</c> or null (the
/// owner of the objects they define); <see cref="Whole"/> says the files are the owner's whole tree (what they do not
/// define is pruned) rather than a part of it.
/// </summary>
public sealed record PreviewRequestView(string ApiVersion, string Kind, string? Owner, bool Whole, IReadOnlyList<ManifestFileView> Files)
{
    public const string KindName = "PreviewRequest";
}
