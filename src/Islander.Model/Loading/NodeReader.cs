using System.Globalization;

namespace Islander.Model;

/// <summary>
/// Converts nodes to values, adding a diagnostic (with the node's position and the field path) for each one that
/// does not fit. Every method returns null on a problem, so a reader carries on and reports every problem.
/// </summary>
internal sealed class NodeReader(DiagnosticBag diagnostics)
{
    public DiagnosticBag Diagnostics { get; } = diagnostics;

    public void Error(Node node, string path, string message) => Diagnostics.Add(node.At, path, message);

    public void Error(Position at, string path, string message) => Diagnostics.Add(at, path, message);

    /// <summary>Opens a mapping and reports its unknown keys; null (after a diagnostic) when it is not a mapping.</summary>
    public Fields? Object(Node node, string path, IReadOnlyCollection<string> known)
    {
        if (node is not MappingNode map)
        {
            Error(node, path, $"expected a mapping of fields ({string.Join(", ", known)}), got {node.Describe()}");
            return null;
        }
        foreach (var (key, _) in map.Entries)
        {
            if (!known.Contains(key.Value))
            {
                // Without a close name, the remedy is the list of the names that go here.
                var remedy = Suggest.DidYouMean(key.Value, known) is { Length: > 0 } close ? close : $"; remove it, or use one of {string.Join(", ", known)}";
                Error(key.At, Field.Join(path, key.Value), $"unknown field{remedy}");
            }
        }
        return new Fields(this, map, path);
    }

    public string? String(Node node, string path)
    {
        if (node is ScalarNode s) return s.Value;
        Error(node, path, $"expected a string, got {node.Describe()}");
        return null;
    }

    public bool? Bool(Node node, string path)
    {
        if (node is ScalarNode { IsPlain: true } s)
        {
            switch (s.Value)
            {
                case "true" or "True" or "TRUE": return true;
                case "false" or "False" or "FALSE": return false;
            }
        }
        Error(node, path, $"expected true or false, got {node.Describe()}");
        return null;
    }

    public long? Integer(Node node, string path, long min, long max, string? hint = null)
    {
        if (node is ScalarNode { IsPlain: true } s
            && long.TryParse(s.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            if (value >= min && value <= max) return value;
            Error(node, path, $"{value} is out of range; expected a whole number from {min} to {max}{hint}");
            return null;
        }
        Error(node, path, $"expected a whole number from {min} to {max}{hint}, got {node.Describe()}");
        return null;
    }

    public long? Bytes(Node node, string path)
    {
        if (node is not ScalarNode s)
        {
            Error(node, path, $"expected a quantity such as 64Mi or 512m, got {node.Describe()}");
            return null;
        }
        if (Quantity.TryParseBytes(s.Value, out var bytes, out var error)) return bytes;
        Error(node, path, error!);
        return null;
    }

    public long? CpuMillis(Node node, string path)
    {
        if (node is not ScalarNode s)
        {
            Error(node, path, $"expected a CPU amount such as 0.5 or 500m, got {node.Describe()}");
            return null;
        }
        if (Quantity.TryParseCpuMillis(s.Value, out var millis, out var error)) return millis;
        Error(node, path, error!);
        return null;
    }

    public T? Enum<T>(Node node, string path) where T : struct, Enum
    {
        var names = System.Enum.GetNames<T>();
        if (node is ScalarNode s && names.Contains(s.Value, StringComparer.Ordinal)) return System.Enum.Parse<T>(s.Value);
        var given = node is ScalarNode g ? $"\"{g.Value}\"" : node.Describe();
        var suggestion = node is ScalarNode h ? Suggest.DidYouMean(h.Value, names) : "";
        Error(node, path, $"{given} is not one of {string.Join(", ", names)}{suggestion}");
        return null;
    }

    /// <summary>A list whose items <paramref name="item"/> reads; items it returns null for are left out.</summary>
    public IReadOnlyList<T> List<T>(Node node, string path, Func<Node, string, T?> item, string example) where T : class
    {
        if (node is not SequenceNode list)
        {
            Error(node, path, $"expected a list, e.g. {example}, got {node.Describe()}");
            return [];
        }
        var result = new List<T>(list.Items.Count);
        for (var i = 0; i < list.Items.Count; i++)
        {
            if (item(list.Items[i], Field.Index(path, i)) is { } value) result.Add(value);
        }
        return result;
    }

    public IReadOnlyList<string> Strings(Node node, string path, string example) => List(node, path, String, example);
}
