namespace Islander.Model.Api;

/// <summary>
/// One line of a watch (<c>GET isles?watch=true</c>), Kubernetes' WatchEvent: type ADDED, MODIFIED or DELETED with
/// the object (DELETED: as it was last seen, or as it left the selection), or BOOKMARK, without an object, once the
/// objects there were at the start have been sent (Kubernetes' end of initial events).
/// </summary>
public sealed record WatchEventView(string Type, ObjectView? Object = null)
{
    public const string Added = "ADDED";
    public const string Modified = "MODIFIED";
    public const string Deleted = "DELETED";
    public const string Bookmark = "BOOKMARK";
}
