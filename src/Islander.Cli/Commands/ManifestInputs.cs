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
}
