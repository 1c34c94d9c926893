using System.Text.RegularExpressions;

namespace Islander.Model.Tests;

/// <summary>
/// The repository explains itself: every document a comment or a Markdown file names (<c>docs/security.md</c>, a
/// link such as <c>../README.md</c>) is a file of this repository, so no reader is sent to a document they do not have.
/// </summary>
public partial class DocumentReferencesTests
{
    static readonly string Root = FindRoot();

    static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(dir.FullName, "Islander.sln")))
            dir = dir.Parent ?? throw new InvalidOperationException("Islander.sln not found above " + AppContext.BaseDirectory);
        return dir.FullName;
    }

    /// <summary>The files people read: sources, project files, scripts and documents, without build output.</summary>
    static IEnumerable<string> Sources()
    {
        string[] extensions = [".cs", ".c", ".csproj", ".props", ".sh", ".md", ".yaml"];
        foreach (var top in new[] { "src", "tests", "docs", "scripts", "examples", "bench", ".ci" })
        {
            var dir = Path.Combine(Root, top);
            if (!Directory.Exists(dir))
                continue;
            foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(Root, file);
                if (relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj" or "testdata"))
                    continue;
                if (extensions.Contains(Path.GetExtension(file)))
                    yield return file;
            }
        }
        yield return Path.Combine(Root, "README.md");
        yield return Path.Combine(Root, "Directory.Build.props");
        yield return Path.Combine(Root, ".editorconfig");
    }

    /// <summary>
    /// Whether the named document is a file of the repository, relative to the naming file's directory or to one of
    /// the directories above it up to the root (a project's folder, the root itself).
    /// </summary>
    static bool Exists(string citingFile, string document)
    {
        if (document.StartsWith('/'))
            return false;
        for (var dir = Path.GetDirectoryName(citingFile); dir is not null && dir.StartsWith(Root, StringComparison.Ordinal); dir = Path.GetDirectoryName(dir))
        {
            var candidate = Path.GetFullPath(Path.Combine(dir, document));
            if (candidate.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal) && File.Exists(candidate))
                return true;
        }
        return false;
    }

    [GeneratedRegex(@"(?<![\w./-])((?:\.{1,2}/)*[\w./-]*[A-Za-z0-9_-]+\.md)\b")]
    private static partial Regex DocumentName();

    [Fact]
    public void EveryCitedDocument_IsInTheRepository()
    {
        var missing = new List<string>();
        foreach (var file in Sources())
        {
            var lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
                foreach (Match m in DocumentName().Matches(lines[i]))
                    if (!Exists(file, m.Groups[1].Value))
                        missing.Add($"{Path.GetRelativePath(Root, file)}:{i + 1}: {m.Groups[1].Value}");
        }

        Assert.True(missing.Count == 0, "documents that are not in the repository:\n" + string.Join("\n", missing));
    }

    [Fact]
    public void Readme_LayoutPointsToTheArchitecture()
    {
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        var layout = readme[readme.IndexOf("## Layout", StringComparison.Ordinal)..];

        Assert.Contains("(docs/architecture.md)", layout);
        Assert.True(File.Exists(Path.Combine(Root, "docs/architecture.md")));
    }
}
