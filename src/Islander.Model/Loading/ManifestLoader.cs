namespace Islander.Model;

/// <summary>
/// Loads and validates manifests. Pure: it reads the text it is handed, and names <c>fileName</c> only in
/// <see cref="ManifestSource"/> and <see cref="Diagnostic"/>s.
/// </summary>
public static class ManifestLoader
{
    private static readonly string[] TopLevel = ["apiVersion", "kind", "metadata", "spec", "status"];
    private static readonly string[] Kinds = Enum.GetNames<ObjectKind>();

    /// <summary>
    /// Reads every document of <paramref name="text"/> (separated by <c>---</c>) and returns the valid objects, the
    /// identifiable invalid ones, and every problem found. Never throws for bad input: a YAML syntax error becomes
    /// a diagnostic with its line. A top-level <c>status</c> (as <c>islanderctl get -o yaml</c> prints it) is accepted
    /// and ignored, so that output can be applied again. <paramref name="drivers"/> are the volume and network drivers
    /// a spec may name (an unknown one is a diagnostic at its field, with the known ones listed).
    /// </summary>
    public static ManifestLoadResult<Manifest> Load(string text, string fileName, DriverCatalog drivers)
    {
        if (text.Length > ManifestLimits.MaxFileBytes) return TooLarge(fileName, text.Length);
        var diagnostics = new DiagnosticBag(fileName);
        var documents = YamlTreeReader.Read(text, diagnostics, out var complete);
        var reader = new NodeReader(diagnostics);
        var objects = new List<Manifest>();
        var rejected = new List<ObjectKey>();
        var firstLine = new Dictionary<ObjectKey, int>();
        var roots = new Dictionary<ObjectKey, Node>();

        foreach (var document in documents)
        {
            if (document.Root is null) continue;
            var before = diagnostics.Count;
            var manifest = ReadDocument(reader, document, fileName, drivers, out var key);
            var valid = document.Errors == 0 && diagnostics.Count == before;
            if (key is not { } k)
            {
                complete = false;
                continue;
            }
            if (firstLine.TryGetValue(k, out var line))
            {
                diagnostics.Add(document.At, "metadata.name", $"{k} is defined twice in this file (first at line {line}); keep one");
                objects.RemoveAll(o => o.Key == k);
                if (!rejected.Contains(k)) rejected.Add(k);
                continue;
            }
            firstLine[k] = document.At.Line;
            roots[k] = document.Root;
            if (valid && manifest is not null) objects.Add(manifest);
            else rejected.Add(k);
        }

        CheckHealthyDependencies(objects, rejected, roots, reader);
        FindConfigFiles(objects, roots);
        return new ManifestLoadResult<Manifest>(objects, rejected, diagnostics.Sorted(), complete);
    }

    /// <summary>
    /// A dependency with condition Healthy on an isle of the same file that has no healthcheck: a problem at the
    /// entry's condition, and the dependent is rejected. Across files the daemon holds the dependent back with the
    /// same message (<see cref="DesiredStateCheck.DependenciesWithoutHealthcheck"/>), since one file cannot see another.
    /// </summary>
    private static void CheckHealthyDependencies(List<Manifest> objects, List<ObjectKey> rejected, Dictionary<ObjectKey, Node> roots, NodeReader reader)
    {
        var specs = objects.OfType<IsleManifest>().ToDictionary(i => i.Name, i => i.Spec, StringComparer.Ordinal);
        foreach (var isle in objects.OfType<IsleManifest>().ToList())
        {
            var bad = isle.Spec.HealthyDependencies.Where(d => specs.TryGetValue(d, out var s) && s.Healthcheck is null).ToList();
            if (bad.Count == 0) continue;
            var entries = (Child(roots[isle.Key], "spec") is { } spec ? Child(spec, "dependsOn") : null) as SequenceNode;
            foreach (var dependency in bad)
            {
                var index = entries?.Items.ToList().FindIndex(e => Child(e, "name") is ScalarNode n && n.Value == dependency) ?? -1;
                var at = index >= 0 ? Child(entries!.Items[index], "condition") ?? entries.Items[index] : roots[isle.Key];
                reader.Error(at, index >= 0 ? $"spec.dependsOn[{index}].condition" : "spec.dependsOn", DesiredStateCheck.WithoutHealthcheck(dependency));
            }
            objects.Remove(isle);
            rejected.Add(isle.Key);
        }
    }

    /// <summary>Marks where each isle names a config file still to be read, so the daemon reports its problems there.</summary>
    private static void FindConfigFiles(List<Manifest> objects, Dictionary<ObjectKey, Node> roots)
    {
        for (int i = 0; i < objects.Count; i++)
        {
            if (objects[i] is not IsleManifest isle || !isle.Spec.Volumes.Any(v => v.ConfigFile is not null && v.ConfigData is null)) continue;
            var entries = (Child(roots[isle.Key], "spec") is { } spec ? Child(spec, "volumes") : null) as SequenceNode;
            var references = new List<ConfigFileReference>();
            for (int v = 0; v < isle.Spec.Volumes.Count; v++)
            {
                if (isle.Spec.Volumes[v] is not { ConfigFile: { } path, ConfigData: null }) continue;
                var at = entries is not null && v < entries.Items.Count && Child(entries.Items[v], "configFile") is { } node ? node.At : new Position(isle.Source.Line, isle.Source.Column);
                references.Add(new ConfigFileReference(v, path, at.Line, at.Column));
            }
            objects[i] = isle with { ConfigFiles = references };
        }
    }

    private static Node? Child(Node node, string key) =>
        node is MappingNode map ? map.Entries.FirstOrDefault(e => e.Key.Value == key).Value : null;

    /// <summary>
    /// The result for a file (or body) of <paramref name="bytes"/> bytes, over <see cref="ManifestLimits.MaxFileBytes"/>:
    /// one diagnostic, nothing read, incomplete (so the objects it defined before keep their last good version). The
    /// caller checks the size before reading, so a 50 MB file is never held in memory.
    /// </summary>
    public static ManifestLoadResult<Manifest> TooLarge(string fileName, long bytes) => new([], [],
        [new Diagnostic(fileName, 1, 1, "", $"the file is {ByteSize.Format(bytes)}; a manifest file may be at most {ByteSize.Format(ManifestLimits.MaxFileBytes)} (and one object {ByteSize.Format(ManifestLimits.MaxObjectBytes)}); split it into several files, and keep large data in volumes or images")],
        IsComplete: false);

    /// <summary>Reads one document; <paramref name="key"/> is null when its kind or name cannot be read.</summary>
    private static Manifest? ReadDocument(NodeReader reader, YamlTreeReader.Document document, string fileName, DriverCatalog drivers, out ObjectKey? key)
    {
        key = null;
        if (reader.Object(document.Root!, "", TopLevel) is not { } top) return null;

        var apiVersion = top.String("apiVersion");
        if (!top.Has("apiVersion")) top.Required("apiVersion", $"add apiVersion: {Manifest.ApiVersion}");
        else if (apiVersion is not null && apiVersion != Manifest.ApiVersion)
        {
            top.Error("apiVersion", $"\"{apiVersion}\" is not supported; use apiVersion: {Manifest.ApiVersion}");
        }

        var kind = ReadKind(top);
        var metadata = MetadataReader.Read(top, out _);
        if (kind is null || metadata is null) return null;
        key = new ObjectKey(kind.Value, metadata.Name);
        var reserved = kind == ObjectKind.Network && metadata.Name is "host" or "none";
        if (reserved)
        {
            reader.Error(top.Get("metadata")!.At, "metadata.name", $"\"{metadata.Name}\" is reserved; name the network differently (for the host's network, isles set hostNetwork: true)");
        }

        var source = new ManifestSource(fileName, document.At.Line, document.At.Column, document.Index);
        switch (kind.Value)
        {
            case ObjectKind.Isle:
                if (!top.Has("spec"))
                {
                    top.Required("spec", "an isle needs at least spec: {image: busybox:1.36}");
                    return null;
                }
                return top.Object("spec", IsleSpecReader.Fields) is { } isleSpec
                    ? new IsleManifest(metadata, IsleSpecReader.Read(isleSpec, metadata.Name, drivers), source)
                    : null;
            case ObjectKind.Network:
                return new NetworkManifest(metadata, NetworkSpecReader.Read(top.Object("spec", NetworkSpecReader.Fields), drivers), source);
            case ObjectKind.Source:
                return SourceSpecReader.Read(top) is { } sourceSpec ? new SourceManifest(metadata, sourceSpec, source) : null;
            default:
                return new VolumeManifest(metadata, VolumeSpecReader.Read(top.Object("spec", VolumeSpecReader.Fields), drivers), source);
        }
    }

    private static ObjectKind? ReadKind(Fields top)
    {
        var kind = top.String("kind");
        if (kind is null)
        {
            if (!top.Has("kind")) top.Required("kind", "add kind: Isle, Network, Volume or Source");
            return null;
        }
        if (Enum.TryParse<ObjectKind>(kind, ignoreCase: false, out var parsed) && Kinds.Contains(kind)) return parsed;
        top.Error("kind", $"unknown kind \"{kind}\"; use Isle, Network, Volume or Source{Suggest.DidYouMean(kind, Kinds)}");
        return null;
    }
}
