namespace Islander.Controller.Desired;

/// <summary>
/// Who defines a desired object: the manifests directory (<c>files</c>), the API (<c>api</c>), or a git source
/// (<c>source/NAME</c>). Each owner replaces only its own objects (<see cref="DesiredStore.Replace"/>); the API cannot
/// change or delete an object another owner holds.
/// </summary>
public readonly record struct DesiredOwner
{
    DesiredOwner(string name) => Name = name;

    /// <summary><c>files</c>, <c>api</c> or <c>source/NAME</c>: what the state database keeps.</summary>
    public string Name { get; }

    public static DesiredOwner Files { get; } = new("files");
    public static DesiredOwner Api { get; } = new("api");
    public static DesiredOwner Source(string name) => new(SourcePrefix + name);

    const string SourcePrefix = "source/";

    public bool IsApi => Name == Api.Name;
    public bool IsFiles => Name == Files.Name;

    /// <summary>The source's name for <c>source/NAME</c>, else null.</summary>
    public string? SourceName => Name?.StartsWith(SourcePrefix, StringComparison.Ordinal) == true ? Name[SourcePrefix.Length..] : null;

    /// <summary>
    /// What the API shows as <c>metadata.managedBy</c>: <c>manifest</c> for the manifests directory (the word the API
    /// has always used for it), <c>api</c>, <c>source/NAME</c>.
    /// </summary>
    public string ManagedBy => IsFiles ? "manifest" : Name;

    /// <summary>An owner as stored (schema 3 writes it out; an empty one is read from the record's origin).</summary>
    public static DesiredOwner Parse(string? name, string origin) => name switch
    {
        null or "" => origin == State.DesiredRecord.ApiOrigin ? Api : Files,
        "api" => Api,
        "files" => Files,
        _ when name.StartsWith(SourcePrefix, StringComparison.Ordinal) && name.Length > SourcePrefix.Length => new(name),
        _ => Files,
    };

    public override string ToString() => Name;
}
