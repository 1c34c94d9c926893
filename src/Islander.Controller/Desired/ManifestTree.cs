using System.Security.Cryptography;
using System.Text;
using Islander.Model;

namespace Islander.Controller.Desired;

/// <summary>
/// Loads a whole manifests tree (the manifests directory, a source's checkout) into one <see cref="ManifestSnapshot"/>:
/// the root is resolved once (every symbolic link in it, <see cref="ManifestFiles.RealPath"/>), then the manifests under
/// that directory are listed (<see cref="ManifestFiles.IsManifest"/>), size-checked, read and parsed with the daemon's
/// parser. A root swapped mid-load (git-sync's <c>mv -T</c> of a symbolic link) cannot mix two revisions: the load reads
/// the revision it resolved, and if that one is deleted under it, starts again from the new one.
/// <para>
/// Use one instance per tree, from one thread at a time: it keeps the parse of each file, keyed by the file's name,
/// checked by (real path, mtime, size) and, when those differ, by a hash of the content, so a rescan or a swap to a tree
/// where few files changed parses only those (and returns the same <see cref="DesiredObject"/>s for the others).
/// </para>
/// <code>
/// var tree = new ManifestTree(parser);                   // confined: true for a tree someone else writes (git)
/// var snapshot = tree.Load("/etc/islander/manifests");  // displayRoot: how files are named, default the root
/// if (!snapshot.IsAvailable) hold everything (snapshot.Unavailable says why)
/// else if (snapshot.IsValid) apply snapshot.Results, else report snapshot.Problems (file:line:col: field: why)
/// </code>
/// </summary>
/// <param name="parser">The daemon's parser (<see cref="ModelManifestParser"/>).</param>
/// <param name="confined">
/// Refuse a manifest that is a symbolic link (or under a linked directory) to a file outside the resolved root: the
/// file is a problem of its own, never read. For trees whose author is not the host's administrator (a git
/// repository could otherwise point a manifest at /etc/shadow and have its lines quoted back in parse errors).
/// </param>
public sealed class ManifestTree(IManifestParser parser, bool confined = false)
{
    /// <summary>How many times a load starts again when the tree changes under it before it reports it unavailable.</summary>
    const int Attempts = 3;

    readonly Dictionary<string, Entry> _cache = new(StringComparer.Ordinal);

    sealed record Entry(string RealPath, DateTime Modified, long Length, string? ContentHash, ManifestLoadResult<DesiredObject> Result);

    /// <summary>The text of the manifests read (not served from the cache) by the last <see cref="Load"/>, in chars.</summary>
    public long ParsedChars { get; private set; }

    /// <summary>
    /// The tree at <paramref name="root"/> now. Files are named <c>displayRoot/relative/path.yaml</c>
    /// (<paramref name="displayRoot"/> defaults to <paramref name="root"/>), in problems and in the objects' sources.
    /// Never throws for what is on disk: a missing, unlistable or changing tree gives an unavailable snapshot.
    /// </summary>
    public ManifestSnapshot Load(string root, string? displayRoot = null)
    {
        ParsedChars = 0;
        string? problem = null;
        for (int attempt = 0; attempt < Attempts; attempt++)
        {
            if (ManifestFiles.Unavailable(root) is { } unavailable) return Unavailable(root, unavailable);
            string resolved;
            try
            {
                resolved = ManifestFiles.RealPath(root);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problem = $"{ManifestFiles.UnavailablePrefix}{root} cannot be resolved ({e.Message}); nothing it defined is pruned until it can";
                continue;
            }
            var files = Read(root, resolved, displayRoot ?? root, out problem);
            if (files is not null)
            {
                var names = files.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
                foreach (var gone in _cache.Keys.Where(k => !names.Contains(k)).ToList()) _cache.Remove(gone);
                return new ManifestSnapshot(root, resolved, files, null);
            }
        }
        return Unavailable(root, problem!);
    }

    static ManifestSnapshot Unavailable(string root, string problem) => new(root, null, [], problem);

    /// <summary>Every manifest under <paramref name="resolved"/>, or null (and why) when some part could not be listed or read.</summary>
    List<ManifestTreeFile>? Read(string root, string resolved, string displayRoot, out string? problem)
    {
        problem = null;
        IReadOnlyList<string> paths;
        try
        {
            paths = ManifestFiles.List(resolved);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = $"{ManifestFiles.UnavailablePrefix}{root} cannot be listed ({e.Message}); nothing it defined is pruned until it can";
            return null;
        }
        var files = new List<ManifestTreeFile>(paths.Count);
        Microsoft.Win32.SafeHandles.SafeFileHandle? tree = null; // opened once a manifest names a config file
        try
        {
            foreach (var path in paths)
            {
                var relative = Path.GetRelativePath(resolved, path);
                var name = Path.Join(displayRoot, relative);
                try
                {
                    var result = ReadOne(resolved, path, name);
                    // Config files beside it, at every load (one can change while its manifest does not), beneath the same root.
                    if (ConfigFileContent.Needed(result))
                    {
                        result = ConfigFileContent.Fill(tree ??= ConfigFileContent.OpenTree(resolved), relative, name, result);
                        if (!Directory.Exists(resolved)) throw new DirectoryNotFoundException($"{resolved} was removed during the load");
                    }
                    files.Add(new ManifestTreeFile(name, relative, result));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Deleted under us (the revision swapped away and removed) or unreadable: a tree without one of its
                    // files is not the tree, and applying it would prune what that file defines.
                    problem = $"{ManifestFiles.UnavailablePrefix}{root}: {relative} cannot be read ({e.Message}); nothing it defined is pruned until it can";
                    return null;
                }
            }
            return files;
        }
        finally
        {
            tree?.Dispose();
        }
    }

    ManifestLoadResult<DesiredObject> ReadOne(string resolved, string path, string name)
    {
        var info = new FileInfo(path); // follows a link: the target's time and size
        var real = info.LinkTarget is null ? path : ManifestFiles.RealPath(path);
        if (_cache.TryGetValue(name, out var cached) && cached.RealPath == real && cached.Modified == info.LastWriteTimeUtc && cached.Length == info.Length)
            return cached.Result;
        var text = ManifestFiles.Read(path, out var size, confined ? resolved : null, out var outside);
        if (outside is not null)
            return Remember(name, real, info, null, Refused(name, $"a symbolic link to {outside}, outside the tree, is not read; copy the manifest into the tree"));
        if (text is null)
            return Remember(name, real, info, null, ModelManifestParser.TooLarge(name, size));
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
        if (cached is not null && cached.ContentHash == hash)
            return Remember(name, real, info, hash, cached.Result);
        ParsedChars += text.Length;
        return Remember(name, real, info, hash, parser.Parse(name, text));
    }

    ManifestLoadResult<DesiredObject> Remember(string name, string real, FileInfo info, string? hash, ManifestLoadResult<DesiredObject> result)
    {
        _cache[name] = new Entry(real, info.LastWriteTimeUtc, info.Length, hash, result);
        return result;
    }

    /// <summary>A file that is not read at all: one problem, incomplete (what it defined before keeps its last good version).</summary>
    static ManifestLoadResult<DesiredObject> Refused(string name, string why) => new([], [], [new Diagnostic(name, 1, 1, "", why)], false);
}
