namespace Islander.Controller.Desired;

/// <summary>Identifies a desired object and its reconcile key; kinds have separate name spaces.</summary>
public readonly record struct ResourceKey(ResourceKind Kind, string Name) : IComparable<ResourceKey>
{
    public static ResourceKey Isle(string name) => new(ResourceKind.Isle, name);

    public int CompareTo(ResourceKey other)
    {
        int byKind = Kind.CompareTo(other.Kind);
        return byKind != 0 ? byKind : string.CompareOrdinal(Name, other.Name);
    }

    /// <summary>kubectl's form: <c>Isle/web</c>.</summary>
    public override string ToString() => $"{Kind}/{Name}";

    public static bool TryParse(string text, out ResourceKey key)
    {
        key = default;
        int slash = text.IndexOf('/');
        if (slash <= 0 || !Enum.TryParse<ResourceKind>(text[..slash], out var kind)) return false;
        key = new ResourceKey(kind, text[(slash + 1)..]);
        return true;
    }

    /// <summary>The API path segment: <c>isles</c>, <c>networks</c>, <c>volumes</c>.</summary>
    public static string Plural(ResourceKind kind) => kind.ToString().ToLowerInvariant() + "s";

    public static bool TryParsePlural(string plural, out ResourceKind kind)
    {
        foreach (var k in Enum.GetValues<ResourceKind>())
            if (Plural(k) == plural || k.ToString().Equals(plural, StringComparison.OrdinalIgnoreCase)) { kind = k; return true; }
        kind = default;
        return false;
    }
}
