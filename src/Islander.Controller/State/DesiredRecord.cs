namespace Islander.Controller.State;

/// <summary>
/// One desired object as LiteDB keeps it: the last good version (<see cref="SpecJson"/>, null if there never was
/// one), where it comes from, its generation, and the problems of its current manifest. Persisted so that objects
/// applied through the API and last good versions of broken manifests survive a daemon restart.
/// </summary>
public sealed class DesiredRecord
{
    /// <summary><c>Kind/name</c>.</summary>
    public string Id { get; set; } = "";
    /// <summary>The manifest file's path, or <see cref="ApiOrigin"/>.</summary>
    public string Origin { get; set; } = "";
    public long Generation { get; set; }
    public string? SpecJson { get; set; }
    public string? SpecHash { get; set; }
    public Dictionary<string, string> Labels { get; set; } = new();
    /// <summary>file:line of the document the last good version came from.</summary>
    public string Source { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public List<string> Problems { get; set; } = new();

    public const string ApiOrigin = "api";
}
