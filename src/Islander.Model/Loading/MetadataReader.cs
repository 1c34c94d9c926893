namespace Islander.Model;

/// <summary>Reads <c>metadata</c>: name, labels, annotations.</summary>
internal static class MetadataReader
{
    private static readonly string[] Known = ["name", "labels", "annotations"];

    public static IReadOnlyCollection<string> Fields => Known;

    /// <summary>The metadata, or null when not even the name is readable (the object cannot be identified).</summary>
    public static ObjectMeta? Read(Fields document, out bool valid)
    {
        valid = false;
        if (!document.Has("metadata"))
        {
            document.Required("metadata", "add metadata: {name: my-object}");
            return null;
        }
        if (document.Object("metadata", Known) is not { } metadata) return null;
        var name = metadata.String("name");
        if (name is null)
        {
            if (!metadata.Has("name")) metadata.Required("name", "name the object, e.g. name: web");
            return null;
        }

        var before = metadata.Reader.Diagnostics.Count;
        if (!Names.IsDnsLabel(name)) metadata.Error("name", $"\"{name}\" is not a valid name; {Names.DnsLabelRule}");
        var labels = Map(metadata, "labels", true);
        var annotations = Map(metadata, "annotations", false);
        valid = metadata.Reader.Diagnostics.Count == before;
        return new ObjectMeta(name) { Labels = labels, Annotations = annotations };
    }

    private static SortedDictionary<string, string> Map(Fields metadata, string key, bool isLabels)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (metadata.Get(key) is not { } node) return result;
        var path = metadata.PathOf(key);
        if (node is not MappingNode map)
        {
            metadata.Error(key, $"expected a mapping of strings, e.g. {{app: web}}, got {node.Describe()}");
            return result;
        }
        foreach (var (k, v) in map.Entries)
        {
            var itemPath = Field.Join(path, k.Value);
            if (metadata.Reader.String(v, itemPath) is not { } value) continue;
            if (isLabels && !Names.IsLabelKey(k.Value))
            {
                metadata.Reader.Error(k, itemPath, "is not a valid label key; use [prefix/]name with at most 63 characters a-z, A-Z, 0-9, '-', '_', '.'");
            }
            else if (isLabels && !Names.IsLabelValue(value))
            {
                metadata.Reader.Error(v, itemPath, $"\"{value}\" is not a valid label value; use at most 63 characters a-z, A-Z, 0-9, '-', '_', '.', starting and ending with a letter or digit");
            }
            else if (!isLabels && k.Value == ObjectAnnotations.Prune && value is not (ObjectAnnotations.PruneDisabled or ObjectAnnotations.PruneEnabled))
            {
                // A typo here would prune what the author meant to keep: refuse it rather than read it as "enabled".
                metadata.Reader.Error(v, itemPath, $"\"{value}\" is not a prune setting; use {ObjectAnnotations.PruneDisabled} (keep the object when its manifest goes) or {ObjectAnnotations.PruneEnabled}");
            }
            result[k.Value] = v is ScalarNode { IsNull: true } ? "" : value;
        }
        return result;
    }
}
