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
        var reading = new Reading(parser, diagnostics);
        complete = true;
        try
        {
            parser.Consume<StreamStart>();
            while (!parser.TryConsume<StreamEnd>(out _))
            {
                var start = parser.Consume<DocumentStart>();
                if (documents.Count == ManifestLimits.MaxDocuments)
                {
                    diagnostics.Add(At(start.Start), "", $"more than {ManifestLimits.MaxDocuments} documents in one file; split it into several files");
                    complete = false;
                    break;
                }
                reading.Anchors.Clear();
                var before = diagnostics.Count;
                var root = ReadNode(reading, "", 0);
                parser.Consume<DocumentEnd>();
                var isEmpty = root is ScalarNode { IsNull: true };
                documents.Add(new Document(documents.Count, isEmpty ? At(start.Start) : root.At, isEmpty ? null : root, diagnostics.Count - before));
            }
        }
        catch (LimitException e)
        {
            diagnostics.Add(e.At, e.Field, e.Message);
            complete = false;
        }
        catch (YamlException e)
        {
            diagnostics.Add(At(e.Start), reading.Path, $"YAML syntax error: {CleanMessage(e.Message)}");
            complete = false;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this, without a position, for some inputs that end inside a flow
            // collection (e.g. "image: [unclosed" at the end of the text). Report it where parsing stopped.
            var at = parser.Current is { } current ? At(current.End) : new Position(1, 1);
            diagnostics.Add(at, reading.Path, "YAML syntax error: the text ends inside a [list] or {mapping}; close the bracket (or quote the value)");
            complete = false;
        }
        return documents;
    }

    /// <summary>What one file's read has seen: the current document's anchors, the values read so far and where.</summary>
    private sealed class Reading(IParser parser, DiagnosticBag diagnostics)
    {
        public IParser Parser { get; } = parser;
        public DiagnosticBag Diagnostics { get; } = diagnostics;

        /// <summary>Each anchor's node, and how many values it counts for when an alias repeats it.</summary>
        public Dictionary<string, (Node Node, int Size)> Anchors { get; } = new(StringComparer.Ordinal);

        /// <summary>Values read in this file, aliases counted at their size (<see cref="ManifestLimits.MaxNodes"/>).</summary>
        public long Nodes { get; set; }

        /// <summary>The field being read, for a syntax error's diagnostic.</summary>
        public string Path { get; set; } = "";
    }

    /// <summary>A limit reached: the file stops being read here.</summary>
    private sealed class LimitException(Position at, string field, string message) : Exception(message)
    {
        public Position At { get; } = at;
        public string Field { get; } = field;
    }

    private static void Count(Reading reading, long nodes, Mark at, string path)
    {
        reading.Nodes += nodes;
        if (reading.Nodes > ManifestLimits.MaxNodes)
            throw new LimitException(At(at), path,
                $"more than {ManifestLimits.MaxNodes} values in one file (an alias counts as every value it repeats); split the file, or use fewer aliases");
    }

    private static Node ReadNode(Reading reading, string path, int depth)
    {
        var parser = reading.Parser;
        reading.Path = path;
        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            if (!reading.Anchors.TryGetValue(alias.Value.Value, out var target))
                throw new SemanticErrorException(alias.Start, alias.End, $"unknown alias *{alias.Value.Value}; an anchor (&name) reaches only later nodes of its own document");
            Count(reading, target.Size, alias.Start, path);
            return target.Node;
        }

        Node node;
        NodeEvent start;
        var first = reading.Nodes;
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            start = scalar;
            Count(reading, 1, scalar.Start, path);
            node = new ScalarNode(At(scalar.Start), scalar.Value, scalar.Style, scalar.Tag.IsEmpty ? "" : scalar.Tag.Value);
        }
        else
        {
            start = parser.Current as NodeEvent ?? parser.Consume<MappingStart>(); // not a node: Consume throws where it is
            Count(reading, 1, start.Start, path);
            if (depth == ManifestLimits.MaxDepth)
            {
                // Checked before going deeper: each level is a frame on the stack, and a stack overflow ends the process.
                throw new LimitException(At(start.Start), path,
                    $"lists and mappings are nested more than {ManifestLimits.MaxDepth} levels deep here; a manifest needs fewer than 10 (is a bracket unclosed?)");
            }
            if (parser.TryConsume<SequenceStart>(out var sequenceStart))
            {
                var items = new List<Node>();
                while (!parser.TryConsume<SequenceEnd>(out _)) items.Add(ReadNode(reading, $"{path}[{items.Count}]", depth + 1));
                node = new SequenceNode(At(sequenceStart.Start), items);
            }
            else
            {
                var mappingStart = parser.Consume<MappingStart>();
                node = ReadMapping(reading, mappingStart, path, depth);
            }
        }

        if (!start.Anchor.IsEmpty) reading.Anchors[start.Anchor.Value] = (node, (int)(reading.Nodes - first));
        return node;
    }

    private static MappingNode ReadMapping(Reading reading, MappingStart mappingStart, string path, int depth)
    {
        var parser = reading.Parser;
        var diagnostics = reading.Diagnostics;
        var entries = new List<KeyValuePair<ScalarNode, Node>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var merged = new List<KeyValuePair<ScalarNode, Node>>();
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var keyNode = ReadNode(reading, path, depth + 1);
            var keyPath = keyNode is ScalarNode k ? Field.Join(path, k.Value) : path;
            var value = ReadNode(reading, keyPath, depth + 1);
            if (keyNode is not ScalarNode key)
            {
                diagnostics.Add(keyNode.At, path, $"a key must be a plain name, not {keyNode.Describe()}; write name: value (is a \"?\" or a bracket out of place?)");
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
