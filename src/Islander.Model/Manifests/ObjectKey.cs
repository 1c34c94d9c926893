namespace Islander.Model;

/// <summary>Identifies an object: kinds have separate name spaces, so an isle and a volume may share a name.</summary>
public readonly record struct ObjectKey(ObjectKind Kind, string Name) : IComparable<ObjectKey>
{
    public int CompareTo(ObjectKey other)
    {
        var byKind = Kind.CompareTo(other.Kind);
        return byKind != 0 ? byKind : string.CompareOrdinal(Name, other.Name);
    }

    /// <summary>kubectl's form: <c>Isle/web</c>.</summary>
    public override string ToString() => $"{Kind}/{Name}";
}
