using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Islander.Model;

/// <summary>Turns YAML text into one <see cref="Node"/> tree per document, from YamlDotNet's parser events.</summary>
internal static partial class YamlTreeReader
{
    /// <summary>A document's root, or null for an empty document (a trailing <c>---</c>, only comments).</summary>
    internal sealed record Document(int Index, Position At, Node? Root, int Errors);

    /// <summary>
    /// Reads every document. On a syntax error, adds a diagnostic, stops, and returns false in
    /// <paramref name="complete"/>: the documents read until then are returned.
    /// </summary>
    public static IReadOnlyList<Document> Read(string text, DiagnosticBag diagnostics, out bool complete)
    {
        var documents = new List<Document>();
        var parser = new Parser(new StringReader(text));
        complete = true;
        try
        {
            parser.Consume<StreamStart>();
            while (!parser.TryConsume<StreamEnd>(out _))
            {
                var start = parser.Consume<DocumentStart>();
                var anchors = new Dictionary<string, Node>(StringComparer.Ordinal);
                var before = diagnostics.Count;
                var root = ReadNode(parser, anchors, diagnostics, "");
                parser.Consume<DocumentEnd>();
                var isEmpty = root is ScalarNode { IsNull: true };
                documents.Add(new Document(documents.Count, isEmpty ? At(start.Start) : root.At, isEmpty ? null : root, diagnostics.Count - before));
            }
        }
        catch (YamlException e)
        {
            diagnostics.Add(At(e.Start), "", $"YAML syntax error: {CleanMessage(e.Message)}");
            complete = false;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this, without a position, for some inputs that end inside a flow
            // collection (e.g. "image: [unclosed" at the end of the text). Report it where parsing stopped.
            var at = parser.Current is { } current ? At(current.End) : new Position(1, 1);
            diagnostics.Add(at, "", "YAML syntax error: the text ends inside a [list] or {mapping}; close the bracket (or quote the value)");
            complete = false;
        }
        return documents;
    }

    private static Node ReadNode(IParser parser, Dictionary<string, Node> anchors, DiagnosticBag diagnostics, string path)
    {
        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            if (anchors.TryGetValue(alias.Value.Value, out var target)) return target;
            throw new SemanticErrorException(alias.Start, alias.End, $"unknown alias *{alias.Value.Value}; an anchor (&name) reaches only later nodes of its own document");
        }

        Node node;
        NodeEvent start;
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            start = scalar;
            node = new ScalarNode(At(scalar.Start), scalar.Value, scalar.Style, scalar.Tag.IsEmpty ? "" : scalar.Tag.Value);
        }
        else if (parser.TryConsume<SequenceStart>(out var sequenceStart))
        {
            start = sequenceStart;
            var items = new List<Node>();
            while (!parser.TryConsume<SequenceEnd>(out _)) items.Add(ReadNode(parser, anchors, diagnostics, $"{path}[{items.Count}]"));
            node = new SequenceNode(At(sequenceStart.Start), items);
        }
        else
        {
            var mappingStart = parser.Consume<MappingStart>();
            start = mappingStart;
            node = ReadMapping(parser, mappingStart, anchors, diagnostics, path);
        }

        if (!start.Anchor.IsEmpty) anchors[start.Anchor.Value] = node;
        return node;
    }

    private static MappingNode ReadMapping(IParser parser, MappingStart mappingStart, Dictionary<string, Node> anchors, DiagnosticBag diagnostics, string path)
    {
        var entries = new List<KeyValuePair<ScalarNode, Node>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var merged = new List<KeyValuePair<ScalarNode, Node>>();
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var keyNode = ReadNode(parser, anchors, diagnostics, path);
            var keyPath = keyNode is ScalarNode k ? Field.Join(path, k.Value) : path;
            var value = ReadNode(parser, anchors, diagnostics, keyPath);
            if (keyNode is not ScalarNode key)
            {
                diagnostics.Add(keyNode.At, path, $"a key must be a plain name, not {keyNode.Describe()}");
                continue;
            }
            if (key.IsPlain && key.Value == "<<")
            {
                // YAML 1.1 merge key (go-yaml and kubectl accept it): explicit keys win over merged ones.
                var sources = value is SequenceNode list ? list.Items : [value];
                foreach (var source in sources)
                {
                    if (source is MappingNode m) merged.AddRange(m.Entries);
                    else diagnostics.Add(source.At, keyPath, "a merge key (<<) takes a mapping or a list of mappings");
                }
                continue;
            }
            if (!seen.Add(key.Value))
            {
                diagnostics.Add(key.At, keyPath, $"duplicate key \"{key.Value}\"; other tools would silently keep only one of them");
                continue;
            }
            entries.Add(new(key, value));
        }
        foreach (var entry in merged)
        {
            if (seen.Add(entry.Key.Value)) entries.Add(entry);
        }
        return new MappingNode(At(mappingStart.Start), entries);
    }

    private static Position At(Mark mark) => new((int)mark.Line, (int)mark.Column);

    /// <summary>YamlDotNet prefixes "(Line: 3, Col: 5, Idx: 20) - (Line: …): "; we print the position ourselves.</summary>
    private static string CleanMessage(string message) => PositionPrefix().Replace(message, "").Trim();

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\):\s*")]
    private static partial Regex PositionPrefix();
}
