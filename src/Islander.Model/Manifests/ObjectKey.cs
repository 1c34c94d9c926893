namespace Islander.Model;

/// <summary>Identifies an object: kinds have separate name spaces, so an isle and a volume may share a name.</summary>
public readonly record struct ObjectKey(ObjectKind Kind, string Name) : IComparable<ObjectKey>
{
    public int CompareTo(ObjectKey other)
    {
        var byKind = Kind.CompareTo(other.Kind);
        return byKind != 0 ? byKind : string.CompareOrdinal(Name, other.Name);
    }

    public static ObjectKey Isle(string name) => new(ObjectKind.Isle, name);

    /// <summary>kubectl's form: <c>Isle/web</c>.</summary>
    public override string ToString() => $"{Kind}/{Name}";

    public static bool TryParse(string text, out ObjectKey key)
    {
        key = default;
        int slash = text.IndexOf('/');
        // By name only: Enum.TryParse also takes "7" (a kind that does not exist), " Isle" and "Isle, Volume".
        if (slash <= 0 || !Enum.GetNames<ObjectKind>().Contains(text[..slash]) || !Enum.TryParse<ObjectKind>(text[..slash], out var kind)) return false;
        key = new ObjectKey(kind, text[(slash + 1)..]);
        return true;
    }

    /// <summary>The API path segment: <c>isles</c>, <c>networks</c>, <c>volumes</c>.</summary>
    public static string Plural(ObjectKind kind) => kind.ToString().ToLowerInvariant() + "s";

    public static bool TryParsePlural(string plural, out ObjectKind kind)
    {
        foreach (var k in Enum.GetValues<ObjectKind>())
            if (Plural(k) == plural || k.ToString().Equals(plural, StringComparison.OrdinalIgnoreCase)) { kind = k; return true; }
        kind = default;
        return false;
    }
}
