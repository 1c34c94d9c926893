using Islander.Model.Api;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Islander.Cli.Api;

/// <summary>
/// Writes a JSON value as block-style YAML, for <c>-o yaml</c>, describe and diff. Hand-written over
/// <see cref="JsonElement"/> because YamlDotNet's serializer needs reflection, which NativeAOT does not allow.
/// </summary>
public static class JsonYaml
{
    public static string Write(JsonElement value)
    {
        var sb = new StringBuilder();
        if (value.ValueKind is JsonValueKind.Object or JsonValueKind.Array && Count(value) > 0) Block(sb, value, 0);
        else sb.Append(Scalar(value)).Append('\n');
        return sb.ToString();
    }

    static void Block(StringBuilder sb, JsonElement value, int indent)
    {
        var pad = new string(' ', indent);
        if (value.ValueKind == JsonValueKind.Object)
            foreach (var p in value.EnumerateObject())
            {
                sb.Append(pad).Append(Key(p.Name)).Append(':');
                Child(sb, p.Value, indent + 2, inSequence: false);
            }
        else
            foreach (var item in value.EnumerateArray())
            {
                sb.Append(pad).Append('-');
                if (item.ValueKind == JsonValueKind.Object && Count(item) > 0)
                {
                    // "- key: value" with the rest of the mapping under it.
                    var first = true;
                    foreach (var p in item.EnumerateObject())
                    {
                        sb.Append(first ? " " : pad + "  ").Append(Key(p.Name)).Append(':');
                        Child(sb, p.Value, indent + 4, inSequence: false);
                        first = false;
                    }
                }
                else Child(sb, item, indent + 2, inSequence: true);
            }
    }

    static void Child(StringBuilder sb, JsonElement value, int indent, bool inSequence)
    {
        if (value.ValueKind is JsonValueKind.Object or JsonValueKind.Array && Count(value) > 0)
        {
            sb.Append('\n');
            Block(sb, value, value.ValueKind == JsonValueKind.Array && !inSequence ? indent - 2 : indent);
        }
        else sb.Append(' ').Append(Scalar(value)).Append('\n');
    }

    static int Count(JsonElement e) => e.ValueKind == JsonValueKind.Object ? e.EnumerateObject().Count() : e.GetArrayLength();

    static string Key(string name) => NeedsQuotes(name) ? Quote(name) : name;

    static string Scalar(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "{}",
        JsonValueKind.Array => "[]",
        JsonValueKind.String => NeedsQuotes(e.GetString()!) ? Quote(e.GetString()!) : e.GetString()!,
        JsonValueKind.Null or JsonValueKind.Undefined => "null",
        _ => e.GetRawText(),
    };

    static bool NeedsQuotes(string s) =>
        s.Length == 0 || s is "true" or "false" or "null" or "~" or "yes" or "no" || double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
        || s.IndexOfAny([':', '#', '\'', '"', '\n', '{', '}', '[', ']', ',', '&', '*', '!', '|', '>', '%', '@', '`']) >= 0
        || char.IsWhiteSpace(s[0]) || char.IsWhiteSpace(s[^1]) || s[0] is '-' or '?';

    /// <summary>
    /// A YAML double-quoted scalar: only the backslash, the quote and control characters escaped. JSON's serializer
    /// would also escape <c>'</c>, <c>&lt;</c>, <c>&amp;</c> and non-ASCII letters (<c>\u0027</c>), which YAML does not need.
    /// </summary>
    static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2).Append('"');
        foreach (var c in s)
            _ = c switch
            {
                '"' => sb.Append("\\\""),
                '\\' => sb.Append("\\\\"),
                '\n' => sb.Append("\\n"),
                '\t' => sb.Append("\\t"),
                '\r' => sb.Append("\\r"),
                < ' ' or (>= '\x7f' and <= '\x9f') => sb.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}"),
                _ => sb.Append(c),
            };
        return sb.Append('"').ToString();
    }
}
