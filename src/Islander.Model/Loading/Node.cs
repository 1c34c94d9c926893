using YamlDotNet.Core;

namespace Islander.Model;

/// <summary>
/// A YAML node that remembers where it started. Our own small tree rather than YamlDotNet's representation model,
/// so that duplicate keys and merge keys are reported as diagnostics instead of exceptions.
/// </summary>
internal abstract record Node(Position At)
{
    /// <summary>What the node is, for messages ("a list", "a mapping", "the string \"x\"").</summary>
    public abstract string Describe();
}

internal sealed record ScalarNode(Position At, string Value, ScalarStyle Style, string Tag) : Node(At)
{
    /// <summary>Plain (unquoted, untagged) scalars may be numbers, booleans or null; quoted ones are always strings.</summary>
    public bool IsPlain => Style is ScalarStyle.Plain or ScalarStyle.Any && (Tag.Length == 0 || Tag == "?");

    /// <summary>YAML's null: <c>~</c>, <c>null</c> or nothing at all.</summary>
    public bool IsNull => IsPlain && Value is "" or "~" or "null" or "Null" or "NULL";

    public override string Describe() => IsNull ? "null" : IsPlain ? Value : $"the string \"{Value}\"";
}

internal sealed record SequenceNode(Position At, IReadOnlyList<Node> Items) : Node(At)
{
    public override string Describe() => "a list";
}

internal sealed record MappingNode(Position At, IReadOnlyList<KeyValuePair<ScalarNode, Node>> Entries) : Node(At)
{
    public override string Describe() => "a mapping";
}
