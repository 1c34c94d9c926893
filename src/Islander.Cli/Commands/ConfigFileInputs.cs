using Islander.Cli.Api;
using Islander.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Islander.Cli.Commands;

/// <summary>
/// The config files a manifest names (<c>volumes: [{configFile: nginx.conf, ...}]</c>), for <c>apply -f</c> and
/// <c>diff -f</c>: islanderd reads them only from its own manifests directory or a source's tree, so islanderctl reads
/// each one beside the manifest (relative to the manifest's directory, as the daemon would) and sends its content as
/// <c>configData</c>. A manifest without config files is sent as written.
/// </summary>
static class ConfigFileInputs
{
    /// <summary><paramref name="text"/> with each config file's content added, or <paramref name="text"/> itself when it names none.</summary>
    public static string Fill(string source, string text)
    {
        if (!text.Contains("configFile", StringComparison.Ordinal)) return text;
        var stream = new YamlStream();
        try { stream.Load(new StringReader(text)); }
        catch (YamlException) { return text; } // the daemon says where the YAML is wrong
        bool filled = false;
        foreach (var doc in stream.Documents)
        {
            if (doc.RootNode is not YamlMappingNode root || Child(root, "kind") is not YamlScalarNode { Value: "Isle" }
                || Child(root, "spec") is not YamlMappingNode spec || Child(spec, "volumes") is not YamlSequenceNode volumes) continue;
            foreach (var volume in volumes.Children.OfType<YamlMappingNode>())
            {
                if (Child(volume, "configFile") is not YamlScalarNode { Value: { } file } node || Child(volume, "configData") is not null) continue;
                volume.Add("configData", Convert.ToBase64String(Read(source, file, node)));
                filled = true;
            }
        }
        if (!filled) return text;
        var writer = new StringWriter();
        stream.Save(writer, assignAnchors: false);
        return writer.ToString();
    }

    static byte[] Read(string source, string file, YamlScalarNode node)
    {
        var at = $"{source}:{node.Start.Line}:{node.Start.Column}: configFile";
        if (source == "<stdin>")
            throw new ClientException($"{at}: a config file is read beside its manifest; apply the manifest with -f FILE, not from stdin", Reasons.InvalidManifest);
        if (Path.IsPathRooted(file))
            throw new ClientException($"{at}: \"{file}\" is absolute; name the file relative to the manifest's directory", Reasons.InvalidManifest);
        var path = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(source))!, file);
        var info = new FileInfo(path);
        if (!info.Exists)
            throw new ClientException($"{at}: {path} does not exist; put the file beside the manifest", Reasons.InvalidManifest);
        if (info.Length > ManifestLimits.MaxConfigFileBytes)
            throw new ClientException($"{at}: {path} is {ByteSize.Format(info.Length)}; a config file may be at most {ByteSize.Format(ManifestLimits.MaxConfigFileBytes)}", Reasons.InvalidManifest);
        return File.ReadAllBytes(path);
    }

    static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;
}
