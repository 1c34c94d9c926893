using System.Globalization;
using System.Text.Json.Nodes;
using CsCheck;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Islander.Testing;

/// <summary>
/// Generators that know the grammars: strings a parser finds hard (edges of numbers, units, paths, addresses, times,
/// control and non-ASCII characters), random YAML and JSON values, and a valid YAML document with one field broken
/// (replaced by a random value, removed, renamed, wrapped in a list or doubled).
/// </summary>
public static class FuzzValues
{
    static readonly string[] Edges =
    [
        "", " ", "0", "-0", "1", "-1", "+1", "00", "007", "0x10", "0o17", "1_000", "1e3", "1e400", "-1e400", "1e-400", "1.5", ".5", "5.", ".",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "18446744073709551616",
        "2147483647", "2147483648", "-2147483649", "4294967296", "65535", "65536", "99999999999999999999999999999999999999999",
        "NaN", ".nan", ".inf", "-.inf", "Infinity", "~", "null", "Null", "true", "false", "yes", "no", "on", "off", "y", "n",
        "64Mi", "512m", "1G", "1Gi", "500m", "0.5", "1.0001", "1e18Ei", "8Ei", "9Ei", "1KB", "1MiB", "-64Mi", "64 Mi", "0x40Mi",
        "1s", "1m30s", "500ms", "1h", "-1s", "0s", "99999999999h", "1.5.5s", "10", "1µs", "1ns", "P1D",
        "2026-12-05T06:20:00Z", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2026-13-45T25:61:61Z", "1764915600", "253402300800",
        "/", "//", "/..", "/../etc", "../..", "a/../../b", "/etc/passwd", "/proc/self/root", "C:\\x", "~/x", "/a\0b", "/a\nb",
        "10.0.0.0/8", "10.88.0.10", "256.1.1.1", "10.0.0.0/33", "10.0.0.1/24", "0.0.0.0/0", "::1", "fe80::1%eth0", "[::1]:9323", "1.2.3.4:99999",
        "busybox", "busybox:1.36", "localhost:5000/a/b:c", "a@sha256:" + new string('0', 64), "A:B", "x:", ":x", "@", "a//b", "UPPER",
        "SIGKILL", "SIGRTMIN+3", "SIGRTMAX-100", "RTMIN+40", "64", "0", "ALL", "cap_sys_admin", "CAP_BOGUS",
        "a=b", "a!=b", "a in (x,y)", "!a", "a,b", "a in (", "=", "==", "notin", "a notin ()", "a==b==c",
        "web", "-web", "web-", "a" + new string('b', 62), new string('x', 64), new string('x', 300), new string('9', 5000),
        "\t", "\n", "\r\n", "\u0000", "\u0007", "\u001b[31m", "\u00a0", "\u200b", "\u202e", "\ufeff", "é", "日本", "🦀", "\"", "'", "\\", "%s%n", "{{x}}", "${HOME}",
        "*", "&a", "!!str", "!!binary AAAA", "? x", "- x", "[x", "{x", "x: y", "#x", "|", ">", "---", "...",
    ];

    /// <summary>A hard string: an edge case, a random one over a small alphabet of digits, units and punctuation, or any characters.</summary>
    public static readonly Gen<string> Strings = Gen.Frequency(
        (5, Gen.OneOf(Edges)),
        (3, Gen.String[Gen.Char["0123456789.+-eEkKmMgGtTpPiIbB:/sSh ,=!()_xX"], 0, 12]),
        (2, Gen.String[Gen.Char["abcz019-._/:@"], 0, 70]),
        (1, Gen.String[Gen.Char[(char)0, (char)0x3000], 0, 20]),
        (1, Gen.Select(Gen.OneOf(Edges), Gen.OneOf(Edges), (a, b) => a + b)));

    /// <summary>A random YAML value: mostly scalars (plain, quoted or tagged), sometimes lists and mappings, a few levels deep.</summary>
    public static Gen<YamlNode> YamlValue(int depth = 3)
    {
        var scalar = Gen.Select(Strings, Gen.Int[0, 9], (s, style) => (YamlNode)new YamlScalarNode(s)
        {
            Style = style switch { 0 => ScalarStyle.SingleQuoted, 1 => ScalarStyle.DoubleQuoted, 2 => ScalarStyle.Literal, _ => ScalarStyle.Any },
            Tag = style == 9 ? new YamlDotNet.Core.TagName("tag:yaml.org,2002:str") : default,
        });
        if (depth == 0) return scalar;
        var inner = YamlValue(depth - 1);
        return Gen.Frequency(
            (8, scalar),
            (2, inner.Array[0, 4].Select(items => (YamlNode)new YamlSequenceNode(items))),
            (2, Gen.Select(Strings, inner).Array[0, 4].Select(entries =>
            {
                var map = new YamlMappingNode();
                foreach (var (key, value) in entries)
                    if (!map.Children.ContainsKey(new YamlScalarNode(key))) map.Add(key, value);
                return (YamlNode)map;
            })));
    }

    /// <summary>A random JSON value, a few levels deep.</summary>
    public static Gen<JsonNode?> JsonValue(int depth = 3)
    {
        var scalar = Gen.Frequency(
            (4, Strings.Select(s => (JsonNode?)JsonValue_(s))),
            (2, Gen.Long.Select(n => (JsonNode?)JsonValue_(n))),
            (1, Gen.Int[-3, 70000].Select(n => (JsonNode?)JsonValue_(n))),
            (1, Gen.Double.Select(d => double.IsFinite(d) ? (JsonNode?)JsonValue_(d) : null)),
            (1, Gen.Bool.Select(b => (JsonNode?)JsonValue_(b))),
            (1, Gen.Bool.Select(_ => (JsonNode?)null)));
        if (depth == 0) return scalar;
        var inner = JsonValue(depth - 1);
        return Gen.Frequency(
            (6, scalar),
            (2, inner.Array[0, 4].Select(items => (JsonNode?)new JsonArray(items.Select(i => i?.DeepClone()).ToArray()))),
            (2, Gen.Select(Strings, inner).Array[0, 4].Select(entries =>
            {
                var o = new JsonObject();
                foreach (var (k, v) in entries) o[k] = v?.DeepClone();
                return (JsonNode?)o;
            })));
    }

    static JsonNode JsonValue_<T>(T value) => System.Text.Json.Nodes.JsonValue.Create(value)!;

    /// <summary>
    /// <paramref name="yaml"/> (one or more documents) with one node broken by <paramref name="seed"/>'s choice: its value
    /// replaced by <paramref name="value"/>, its entry removed, renamed or doubled, or the value wrapped in a list or mapping.
    /// </summary>
    public static string BreakOneField(string yaml, int seed, YamlNode value)
    {
        var random = new Random(seed);
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var slots = new List<(YamlNode Parent, YamlNode Key)>();
        foreach (var document in stream.Documents) Collect(document.RootNode, slots);
        if (slots.Count > 0)
        {
            var (parent, key) = slots[random.Next(slots.Count)];
            if (parent is YamlMappingNode map)
            {
                var current = map.Children[key];
                switch (random.Next(8))
                {
                    case 0: map.Children.Remove(key); break;
                    case 1: map.Children.Remove(key); map.Add(new YamlScalarNode(((YamlScalarNode)key).Value + "x"), current); break;
                    case 2: map.Add(new YamlScalarNode("bogus" + random.Next(3)), value); break;
                    case 3: map.Children[key] = new YamlSequenceNode(current); break;
                    case 4: map.Children[key] = new YamlMappingNode(new YamlScalarNode("x"), current); break;
                    default: map.Children[key] = value; break;
                }
            }
            else
            {
                var list = (YamlSequenceNode)parent;
                int index = int.Parse(((YamlScalarNode)key).Value!, CultureInfo.InvariantCulture);
                switch (random.Next(5))
                {
                    case 0: list.Children.RemoveAt(index); break;
                    case 1: list.Children.Insert(index, list.Children[index]); break;
                    default: list.Children[index] = value; break;
                }
            }
        }
        var writer = new StringWriter();
        stream.Save(writer, assignAnchors: false);
        return writer.ToString();
    }

    static void Collect(YamlNode node, List<(YamlNode, YamlNode)> slots)
    {
        switch (node)
        {
            case YamlMappingNode map:
                foreach (var (key, value) in map.Children)
                {
                    slots.Add((map, key));
                    Collect(value, slots);
                }
                break;
            case YamlSequenceNode list:
                for (int i = 0; i < list.Children.Count; i++)
                {
                    slots.Add((list, new YamlScalarNode(i.ToString(CultureInfo.InvariantCulture))));
                    Collect(list.Children[i], slots);
                }
                break;
        }
    }
}
