using Islander.Drivers.Manifests;
using Islander.Model;
using Islander.Cli.Api;

namespace Islander.Cli.Commands;

/// <summary>The texts behind <c>-f FILE|DIR|-</c>: a file, the .yaml/.yml files of a directory (sorted), or stdin.</summary>
static class ManifestInputs
{
    public static IReadOnlyList<(string Source, string Text)> Read(IEnumerable<string> paths, TextReader stdin)
    {
        var inputs = new List<(string, string)>();
        foreach (var path in paths)
        {
            if (path == "-")
                inputs.Add(("<stdin>", stdin.ReadToEnd()));
            else if (Directory.Exists(path))
                inputs.AddRange(Directory.EnumerateFiles(path)
                    .Where(f => !Path.GetFileName(f).StartsWith('.') && (f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal)))
                    .Order(StringComparer.Ordinal)
                    .Select(f => (f, File.ReadAllText(f))));
            else if (File.Exists(path))
                inputs.Add((path, File.ReadAllText(path)));
            else
                throw new ClientException($"{path}: no such file or directory", "NotFound");
        }
        if (inputs.Count == 0) throw new ClientException("no manifests given: use -f FILE, -f DIR or -f -", "BadRequest");
        return inputs;
    }

    /// <summary>
    /// A directory as islanderd reads its manifests directory or a source's checkout (<see cref="ManifestDirectory"/>'s
    /// rules: the root resolved once, every .yaml and .yml file below it but dotfiles, dot directories and editor
    /// leftovers, sorted), files named under <paramref name="root"/> as given. A part that cannot be read, or a file over
    /// the size limit, is an error: a preview without it would show its objects pruned.
    /// </summary>
    public static IReadOnlyList<(string Source, string Text)> Tree(string root)
    {
        try
        {
            var resolved = ManifestDirectory.RealPath(root);
            return [.. ManifestDirectory.List(resolved).Select(f => (Path.Join(root, Path.GetRelativePath(resolved, f)),
                ManifestDirectory.Read(f, out var size) ?? throw new ClientException($"{f}: the file is {ByteSize.Format(size)}; a manifest file may be at most {ByteSize.Format(ManifestLimits.MaxFileBytes)}", "BadRequest")))];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ClientException($"{root}: {e.Message}", "BadRequest");
        }
    }
}
