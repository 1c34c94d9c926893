using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Islander.Model.Tests.Schema;

/// <summary>
/// YAML documents as the JSON an editor's schema validator sees: plain scalars resolved by YAML 1.2's core schema
/// (yaml-language-server's default: <c>8080</c> a number, <c>true</c>/<c>True</c> a boolean, <c>~</c> and <c>null</c>
/// null, <c>yes</c> a string), quoted ones strings, merge keys (<c>&lt;&lt;</c>) applied.
/// </summary>
internal static partial class YamlJson
{
    /// <summary>Every document of <paramref name="text"/>, in order (an empty one as null).</summary>
    public static IReadOnlyList<JsonNode?> Documents(string text)
    {
        var stream = new YamlStream();
        stream.Load(new Parser(new StringReader(text)));
        return [.. stream.Documents.Select(d => Convert(d.RootNode))];
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => Mapping(map),
        YamlSequenceNode list => new JsonArray([.. list.Children.Select(Convert)]),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new InvalidOperationException($"unexpected node {node.NodeType}"),
    };

    /// <summary>A mapping, with the entries of its merge keys (<c>&lt;&lt;: *base</c>) that it does not set itself.</summary>
    private static JsonObject Mapping(YamlMappingNode map)
    {
        var result = new JsonObject();
        foreach (var (key, value) in map.Children)
            if (key is not YamlScalarNode { Value: "<<", Style: ScalarStyle.Plain or ScalarStyle.Any }) result[((YamlScalarNode)key).Value ?? ""] = Convert(value);
        foreach (var (key, value) in map.Children)
        {
            if (key is not YamlScalarNode { Value: "<<", Style: ScalarStyle.Plain or ScalarStyle.Any }) continue;
            foreach (var merged in value is YamlSequenceNode list ? list.Children : [value])
                foreach (var (k, v) in (JsonObject)Convert(merged)!)
                    if (!result.ContainsKey(k)) result[k] = v?.DeepClone();
        }
        return result;
    }

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style is not (ScalarStyle.Plain or ScalarStyle.Any)) return JsonValue.Create(value);
        if (value is "" or "~" or "null" or "Null" or "NULL") return null;
        if (value is "true" or "True" or "TRUE") return JsonValue.Create(true);
        if (value is "false" or "False" or "FALSE") return JsonValue.Create(false);
        if (Integer().IsMatch(value) && decimal.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)) return JsonValue.Create(integer);
        if (value.StartsWith("0o", StringComparison.Ordinal) && value.Length > 2 && value[2..].All(c => c is >= '0' and <= '7')) return JsonValue.Create(System.Convert.ToInt64(value[2..], 8));
        if (value.StartsWith("0x", StringComparison.Ordinal) && long.TryParse(value[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex)) return JsonValue.Create(hex);
        if (Float().IsMatch(value) && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var real)) return JsonValue.Create(real);
        return JsonValue.Create(value);
    }

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex Integer();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex Float();
}
