using System.CommandLine;
using Islander.Cli.Completion;
using Islander.Drivers;
using Islander.Drivers.Manifests;
using Islander.Drivers.Storage;
using Islander.Model;

namespace Islander.Cli.Commands;

/// <summary>
/// <c>islanderctl validate -f FILE|DIR|-</c>: checks manifests with no daemon, for CI and editors' pre-commit hooks.
/// The same reader and rules as islanderd (the Model's <see cref="ManifestLoader"/> with the drivers islanderd knows,
/// the manifests directory's file rules from <see cref="ManifestDirectory"/>: which files count, subdirectories, the
/// size limit, an object defined twice). Each problem is printed on stdout as <c>FILE:LINE:COL: field: why</c>. Exit
/// codes: <see cref="Valid"/> 0, <see cref="Invalid"/> 1, <see cref="Unreadable"/> 2 (a path missing or unreadable:
/// nothing can be said of what it holds).
/// </summary>
public static class ValidateCommand
{
    public const int Valid = 0, Invalid = 1, Unreadable = 2;

    public static Command Create()
    {
        var files = new Option<string[]>("--filename", "-f") { Description = "manifest file, directory (searched as islanderd searches its manifests directory), or - for stdin", Required = true };
        var command = new Command("validate", "check manifests with islanderd's rules, without a daemon (exit 0 valid, 1 invalid, 2 unreadable)") { files };
        Completions.Files(files);
        command.SetAction(parse => Run(parse.GetValue(files) ?? [], Console.In, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, DriverCatalogs.Known));
        return command;
    }

    /// <summary>Validates <paramref name="paths"/> as one tree (an object in two of them is a problem, as in one directory).</summary>
    public static int Run(IReadOnlyList<string> paths, TextReader stdin, TextWriter output, TextWriter error, DriverCatalog drivers)
    {
        var problems = new List<string>();
        var definers = new Dictionary<ObjectKey, List<string>>();
        int fileCount = 0, objectCount = 0;
        foreach (var path in paths)
        {
            IReadOnlyList<(string Name, Func<(string? Text, long Size)> Read)> inputs;
            try
            {
                inputs = Inputs(path, stdin);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"error: {path}: {e.Message}");
                return Unreadable;
            }
            // Config files are read beneath the tree islanderd would read: the directory given, or a file's own directory.
            string? tree = path == "-" ? null : Directory.Exists(path) ? ManifestDirectory.RealPath(path) : Path.GetDirectoryName(Path.GetFullPath(path));
            foreach (var (name, read) in inputs)
            {
                (string? text, long size) content;
                try
                {
                    content = read();
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    error.WriteLine($"error: {name}: {e.Message}");
                    return Unreadable;
                }
                fileCount++;
                var result = content.text is null ? ManifestLoader.TooLarge(name, content.size) : ManifestLoader.Load(content.text, name, drivers);
                problems.AddRange(result.Diagnostics.Select(d => d.ToString()));
                problems.AddRange(ConfigFileProblems(result, tree, Directory.Exists(path) ? Path.GetRelativePath(path, name) : Path.GetFileName(name)));
                foreach (var manifest in result.Objects)
                {
                    objectCount++;
                    if (!definers.TryGetValue(manifest.Key, out var list)) definers[manifest.Key] = list = new();
                    list.Add(manifest.Source.ToString());
                }
            }
        }
        foreach (var (key, sources) in definers.Where(d => d.Value.Count > 1).OrderBy(d => d.Key))
            problems.Add($"{sources[1]}: {key} is defined more than once ({string.Join(", ", sources)}); none of them is applied until only one is left");
        foreach (var problem in problems) output.WriteLine(problem);
        var files = fileCount == 1 ? "1 manifest file" : $"{fileCount} manifest files";
        var objects = objectCount == 1 ? "1 valid object" : $"{objectCount} valid objects";
        error.WriteLine(problems.Count == 0 ? $"{files}, {objects}: valid" : $"{files}, {objects}, {problems.Count} {(problems.Count == 1 ? "problem" : "problems")}: invalid");
        return problems.Count == 0 ? Valid : Invalid;
    }

    /// <summary>
    /// The config files the manifest at <paramref name="relative"/> in <paramref name="tree"/> names, read as islanderd
    /// reads them (<see cref="TreeFiles"/>: beneath the tree, regular, at most 1 MiB): one problem per file it could not.
    /// </summary>
    static IEnumerable<string> ConfigFileProblems(ManifestLoadResult<Manifest> result, string? tree, string relative)
    {
        var references = result.Objects.OfType<IsleManifest>().SelectMany(i => i.ConfigFiles.Select(r => (i.Source.File, Reference: r))).ToList();
        if (references.Count == 0) yield break;
        if (tree is null)
        {
            foreach (var (file, r) in references)
                yield return new Diagnostic(file, r.Line, r.Column, r.Field, $"{r.Path} is read beside the manifest; validate -f FILE or -f DIR to check it").ToString();
            yield break;
        }
        using var root = TreeFiles.OpenRoot(tree);
        var directory = Path.GetDirectoryName(relative) is { Length: > 0 } d ? d : ".";
        foreach (var (file, r) in references)
        {
            var read = TreeFiles.Read(root, directory == "." ? r.Path : $"{directory}/{r.Path}", ManifestLimits.MaxConfigFileBytes, r.Path);
            if (read.Problem is { } problem) yield return new Diagnostic(file, r.Line, r.Column, r.Field, problem).ToString();
        }
    }

    /// <summary>The files behind one <c>-f</c>: stdin, one file, or a directory's manifests, listed from its root resolved once.</summary>
    static IReadOnlyList<(string, Func<(string?, long)>)> Inputs(string path, TextReader stdin)
    {
        if (path == "-")
        {
            var text = stdin.ReadToEnd();
            return [("<stdin>", () => (text, text.Length))];
        }
        if (Directory.Exists(path))
        {
            var resolved = ManifestDirectory.RealPath(path);
            return ManifestDirectory.List(resolved)
                .Select(file => (Path.Join(path, Path.GetRelativePath(resolved, file)), (Func<(string?, long)>)(() => (ManifestDirectory.Read(file, out var size), size))))
                .ToList();
        }
        if (File.Exists(path)) return [(path, () => (ManifestDirectory.Read(path, out var size), size))];
        throw new FileNotFoundException("no such file or directory");
    }
}
