using System.Text;
using Islander.Drivers.Storage;
using Islander.Model;
using Microsoft.Win32.SafeHandles;

namespace Islander.Controller.Desired;

/// <summary>
/// Reads the config files a tree's manifests name (<c>volumes: [{configFile: nginx.conf, ...}]</c>) into their isles'
/// specs, at every load of the tree: a file that changed while its manifest did not is a new generation of the isles
/// that mount it, and of no other object.
/// </summary>
/// <remarks>
/// The path is relative to the manifest's directory and resolved beneath the tree's root by the kernel
/// (<see cref="TreeFiles"/>): whoever writes the tree (a git repository's author) cannot have the daemon read a file
/// outside it. A file that cannot be read (missing, outside the tree, not a regular file, over
/// <see cref="ManifestLimits.MaxConfigFileBytes"/>, written during the read) is a problem of its isle at the
/// <c>configFile</c> field's line and column; the isle keeps its last good version, as with any invalid manifest.
/// </remarks>
public static class ConfigFileContent
{
    /// <summary>
    /// The tree's root, opened once per load so that every file of it is resolved beneath the same directory; an
    /// invalid handle when it cannot be opened (gone since it was listed), which <see cref="Fill"/> reports per file.
    /// </summary>
    public static SafeFileHandle OpenTree(string rootPath)
    {
        try
        {
            return TreeFiles.OpenRoot(rootPath);
        }
        catch (IslanderException)
        {
            return new SafeFileHandle();
        }
    }

    /// <summary>
    /// For a request body: the daemon has no tree to read a config file from (and must not read its own files for a
    /// client), so each one's content must come with it (<c>configData</c>, which islanderctl apply fills from the file
    /// beside the manifest). An isle without it is refused at its configFile field.
    /// </summary>
    public static ManifestLoadResult<DesiredObject> RequireSent(ManifestLoadResult<DesiredObject> result)
    {
        if (!Needed(result)) return result;
        var problems = result.Objects.SelectMany(o => o.ConfigFiles.Select(r => new Diagnostic(SourceFile(o.Source), r.Line, r.Column, r.Field,
            $"the content of {r.Path} was not sent; islanderctl apply -f sends the file beside the manifest (as configData), and the daemon reads config files only from its manifests directory or a source")));
        return new ManifestLoadResult<DesiredObject>([.. result.Objects.Where(o => o.ConfigFiles.Count == 0)],
            [.. result.Rejected, .. result.Objects.Where(o => o.ConfigFiles.Count > 0).Select(o => o.Key)],
            [.. result.Diagnostics, .. problems], result.IsComplete);
    }

    /// <summary>The file of an object's source (<c>web.yaml:3</c> -> <c>web.yaml</c>).</summary>
    static string SourceFile(string source) => source.LastIndexOf(':') is var colon and > 0 && source[(colon + 1)..].All(char.IsAsciiDigit) ? source[..colon] : source;

    /// <summary>Whether any object of <paramref name="result"/> names a config file still to be read.</summary>
    public static bool Needed(ManifestLoadResult<DesiredObject> result) => result.Objects.Any(o => o.ConfigFiles.Count > 0);

    /// <summary>
    /// <paramref name="result"/> (the manifest's at <paramref name="relative"/> in the tree opened as <paramref name="root"/>,
    /// named <paramref name="file"/> in problems) with every config file read into its isle's spec; an isle whose file
    /// cannot be read moves to the rejected objects with the problem.
    /// </summary>
    public static ManifestLoadResult<DesiredObject> Fill(SafeFileHandle root, string relative, string file, ManifestLoadResult<DesiredObject> result)
    {
        if (!Needed(result)) return result;
        var directory = Path.GetDirectoryName(relative) is { Length: > 0 } d ? d : ".";
        var objects = new List<DesiredObject>();
        var rejected = result.Rejected.ToList();
        var problems = result.Diagnostics.ToList();
        foreach (var obj in result.Objects)
        {
            if (obj.ConfigFiles.Count == 0 || obj.Isle is not { } spec)
            {
                objects.Add(obj);
                continue;
            }
            var volumes = spec.Volumes.ToArray();
            var found = new List<Diagnostic>();
            foreach (var reference in obj.ConfigFiles)
            {
                var path = directory == "." ? reference.Path : $"{directory}/{reference.Path}";
                var read = root.IsInvalid
                    ? new TreeFileRead(null, $"{reference.Path} cannot be read: the manifests' tree could not be opened; it is read again at the next scan")
                    : TreeFiles.Read(root, path, ManifestLimits.MaxConfigFileBytes, reference.Path);
                if (read.Content is { } content)
                    volumes[reference.Volume] = volumes[reference.Volume] with { ConfigData = Convert.ToBase64String(content) };
                else
                    found.Add(new Diagnostic(file, reference.Line, reference.Column, reference.Field, read.Problem!));
            }
            var filled = spec with { Volumes = volumes };
            var json = SpecJson.FromIsle(filled);
            long size = Encoding.UTF8.GetByteCount(json.ToJsonString());
            if (found.Count == 0 && size > ManifestLimits.MaxObjectBytes)
                found.Add(new Diagnostic(file, obj.ConfigFiles[0].Line, obj.ConfigFiles[0].Column, "spec.volumes",
                    $"{obj.Key} is {ByteSize.Format(size)} as stored with its config files' content; an object may be at most {ByteSize.Format(ManifestLimits.MaxObjectBytes)}: keep large data in a volume or the image"));
            if (found.Count > 0)
            {
                rejected.Add(obj.Key);
                problems.AddRange(found);
                continue;
            }
            objects.Add(new DesiredObject(obj.Key, obj.Labels, json, filled, obj.Source));
        }
        return new ManifestLoadResult<DesiredObject>(objects, rejected,
            [.. problems.OrderBy(d => d.Line).ThenBy(d => d.Column)], result.IsComplete);
    }
}
