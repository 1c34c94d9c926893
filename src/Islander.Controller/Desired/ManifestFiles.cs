using Islander.Model;

namespace Islander.Controller.Desired;

/// <summary>Which files in the manifests directory are manifests.</summary>
public static class ManifestFiles
{
    /// <summary>
    /// .yaml and .yml files, not dotfiles, not in dot directories (.git), not editor leftovers (vim's .swp and
    /// .swx, emacs' #name# and name~, which end in neither extension anyway).
    /// </summary>
    public static bool IsManifest(string root, string path)
    {
        var relative = Path.GetRelativePath(root, path);
        foreach (var part in relative.Split(Path.DirectorySeparatorChar))
            if (part.StartsWith('.') || part.StartsWith('#')) return false;
        var name = Path.GetFileName(path);
        return !name.EndsWith('~') && (name.EndsWith(".yaml", StringComparison.Ordinal) || name.EndsWith(".yml", StringComparison.Ordinal));
    }

    /// <summary>Whether a change of <paramref name="path"/> may matter: a manifest or a config file one names, not a dotfile, nor in a dot directory (.git).</summary>
    public static bool IsTreeFile(string root, string path) =>
        !Path.GetRelativePath(root, path).Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('.') || part.StartsWith('#')) && !path.EndsWith('~');

    /// <summary>The first words of the problem <see cref="Unavailable"/> reports: the status tells it from a bad manifest by them.</summary>
    public const string UnavailablePrefix = "manifests directory ";

    /// <summary>The status reason and event reason of objects whose directory cannot be listed.</summary>
    public const string UnavailableReason = Reasons.ManifestsUnavailable;

    /// <summary>
    /// Why the directory cannot be listed now (missing, not a directory, unreadable), or null when it can. A directory
    /// that cannot be listed says nothing about what is desired: an empty listing of it must not prune everything it
    /// defined (a renamed or unmounted directory, a typo in --manifests after an edit, EACCES).
    /// </summary>
    public static string? Unavailable(string root)
    {
        if (File.Exists(root))
            return $"{UnavailablePrefix}{root} is a file, not a directory; nothing it defined is pruned until it is a directory again";
        if (!Directory.Exists(root))
            return $"{UnavailablePrefix}{root} is missing; nothing it defined is pruned until it is back";
        try
        {
            using var entries = Directory.EnumerateFileSystemEntries(root).GetEnumerator();
            entries.MoveNext();
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"{UnavailablePrefix}{root} cannot be read ({e.Message}); nothing it defined is pruned until it can";
        }
    }

    /// <summary>The manifests under <paramref name="root"/>, sorted, so scans are reproducible. Empty when the directory is
    /// missing: callers check <see cref="Unavailable"/> first, since that is not "no manifests".</summary>
    public static IReadOnlyList<string> Find(string root)
    {
        if (!Directory.Exists(root)) return [];
        return Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.Hidden })
            .Where(p => IsManifest(root, p)).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// The text of the manifest at <paramref name="path"/>, or null when it is larger than
    /// <see cref="ManifestLimits.MaxFileBytes"/> (<paramref name="size"/> then says how large): the size is checked
    /// before reading, and the read stops at the limit should the file grow meanwhile, so a 50 MB file is never held
    /// in memory.
    /// </summary>
    public static string? Read(string path, out long size)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1);
        size = file.Length;
        if (size > ManifestLimits.MaxFileBytes) return null;
        var buffer = new MemoryStream((int)size);
        var chunk = new byte[1 << 16];
        int n;
        while ((n = file.Read(chunk)) > 0)
        {
            if (buffer.Length + n > ManifestLimits.MaxFileBytes)
            {
                size = Math.Max(file.Length, buffer.Length + n);
                return null;
            }
            buffer.Write(chunk, 0, n);
        }
        buffer.Position = 0;
        using var reader = new StreamReader(buffer, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }
}
