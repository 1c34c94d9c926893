namespace Islander.Model;

/// <summary><c>metadata</c> of a manifest. Labels and annotations never affect the spec hash.</summary>
public sealed record ObjectMeta
{
    public ObjectMeta(string name) => Name = name;

    /// <summary>A DNS label: [a-z0-9-], at most 63 characters, starting and ending with a letter or digit.</summary>
    public string Name { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);
}
