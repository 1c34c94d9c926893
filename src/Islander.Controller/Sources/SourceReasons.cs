namespace Islander.Controller.Sources;

/// <summary>The reasons of a source's Ready condition (status and events), Flux's where it has one.</summary>
public static class SourceReasons
{
    /// <summary>Ready: the revision fetched is the one applied.</summary>
    public const string Applied = "Applied";

    /// <summary>Not yet fetched (a new source, or a changed spec).</summary>
    public const string Progressing = "Progressing";

    /// <summary>git could not fetch (unreachable, refused, no such ref, credentials, timeout).</summary>
    public const string FetchFailed = "GitOperationFailed";

    /// <summary>spec.git.path is not a directory of the revision fetched.</summary>
    public const string PathNotFound = "PathNotFound";

    /// <summary>A manifest of the revision is invalid: the whole revision is refused.</summary>
    public const string InvalidRevision = "InvalidManifest";

    /// <summary>The revision's tree is too large to check out.</summary>
    public const string TreeTooLarge = "TreeTooLarge";
}
