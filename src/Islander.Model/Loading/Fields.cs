namespace Islander.Model;

/// <summary>
/// The fields of one YAML mapping at a known path (<c>spec.resources</c>), read by name. Absent fields and fields
/// set to null read as null, as Kubernetes treats <c>field: null</c> as unset.
/// </summary>
internal sealed class Fields(NodeReader reader, MappingNode map, string path)
{
    public NodeReader Reader { get; } = reader;

    public string Path { get; } = path;

    public Position At => map.At;

    public Node? Get(string key)
    {
        foreach (var (k, v) in map.Entries)
        {
            if (k.Value == key) return v is ScalarNode { IsNull: true } ? null : v;
        }
        return null;
    }

    public bool Has(string key) => Get(key) is not null;

    public string PathOf(string key) => Field.Join(Path, key);

    /// <summary>Reports a problem on a field: at its value when present, else at the mapping.</summary>
    public void Error(string key, string message) => Reader.Error(Get(key)?.At ?? At, PathOf(key), message);

    public void Required(string key, string hint) => Reader.Error(At, PathOf(key), $"is required; {hint}");

    public string? String(string key) => Get(key) is { } n ? Reader.String(n, PathOf(key)) : null;

    public bool? Bool(string key) => Get(key) is { } n ? Reader.Bool(n, PathOf(key)) : null;

    public long? Integer(string key, long min, long max, string? hint = null) =>
        Get(key) is { } n ? Reader.Integer(n, PathOf(key), min, max, hint) : null;

    public long? Bytes(string key) => Get(key) is { } n ? Reader.Bytes(n, PathOf(key)) : null;

    public long? CpuMillis(string key) => Get(key) is { } n ? Reader.CpuMillis(n, PathOf(key)) : null;

    public T? Enum<T>(string key) where T : struct, Enum => Get(key) is { } n ? Reader.Enum<T>(n, PathOf(key)) : null;

    public IReadOnlyList<string> Strings(string key, string example) =>
        Get(key) is { } n ? Reader.Strings(n, PathOf(key), example) : [];

    public IReadOnlyList<T> List<T>(string key, Func<Node, string, T?> item, string example) where T : class =>
        Get(key) is { } n ? Reader.List(n, PathOf(key), item, example) : [];

    public Fields? Object(string key, IReadOnlyCollection<string> known) =>
        Get(key) is { } n ? Reader.Object(n, PathOf(key), known) : null;
}
