using System.IO.Enumeration;
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
    /// A directory as islanderd reads its manifests directory (its <c>ManifestFiles.List</c>): every .yaml and .yml file
    /// below it, sorted, but dotfiles, files under dot directories (.git), <c>#name#</c> and <c>name~</c>; a linked
    /// directory is followed unless it leads back up its own path. A part that cannot be read is an error: a preview
    /// without it would show its objects pruned.
    /// </summary>
    public static IReadOnlyList<(string Source, string Text)> Tree(string root)
    {
        try
        {
            var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = false, AttributesToSkip = FileAttributes.Hidden };
            var files = new FileSystemEnumerable<string>(root, (ref FileSystemEntry e) => e.ToFullPath(), options)
            {
                ShouldIncludePredicate = (ref FileSystemEntry e) => !e.IsDirectory,
                ShouldRecursePredicate = (ref FileSystemEntry e) => (e.Attributes & FileAttributes.ReparsePoint) == 0 || !IsLoop(e.ToFullPath()),
            };
            var full = Path.GetFullPath(root);
            return [.. files.Where(f => IsManifest(full, f)).Order(StringComparer.Ordinal)
                .Select(f => (Path.Join(root, Path.GetRelativePath(full, f)), File.ReadAllText(f)))];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ClientException($"{root}: {e.Message}", "BadRequest");
        }
    }

    static bool IsManifest(string root, string path)
    {
        foreach (var part in Path.GetRelativePath(root, path).Split(Path.DirectorySeparatorChar))
            if (part.StartsWith('.') || part.StartsWith('#')) return false;
        var name = Path.GetFileName(path);
        return !name.EndsWith('~') && (name.EndsWith(".yaml", StringComparison.Ordinal) || name.EndsWith(".yml", StringComparison.Ordinal));
    }

    static bool IsLoop(string link)
    {
        var target = (new DirectoryInfo(link).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? link).TrimEnd('/') + "/";
        var parent = Path.GetFullPath(Path.GetDirectoryName(link)!).TrimEnd('/') + "/";
        return parent.StartsWith(target, StringComparison.Ordinal);
    }
}
