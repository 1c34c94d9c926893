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
    /// <summary><c>files</c>, <c>api</c> or <c>source/NAME</c>; empty in records written before owners (read from <see cref="Origin"/>).</summary>
    public string Owner { get; set; } = "";
    /// <summary>Let go of by its owner when its manifest went (kept, not pruned): now the API's.</summary>
    public bool Released { get; set; }
    /// <summary>Other owners defining the same key, and the problem each is shown as.</summary>
    public Dictionary<string, string> Conflicts { get; set; } = new();
    public long Generation { get; set; }
    public string? SpecJson { get; set; }
    public string? SpecHash { get; set; }
    public Dictionary<string, string> Labels { get; set; } = new();
    public Dictionary<string, string> Annotations { get; set; } = new();
    /// <summary>file:line of the document the last good version came from.</summary>
    public string Source { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public List<string> Problems { get; set; } = new();

    public const string ApiOrigin = "api";
}
