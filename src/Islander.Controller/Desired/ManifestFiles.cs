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

    /// <summary>The manifests under <paramref name="root"/>, sorted, so scans are reproducible.</summary>
    public static IReadOnlyList<string> Find(string root)
    {
        if (!Directory.Exists(root)) return [];
        return Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.Hidden })
            .Where(p => IsManifest(root, p)).Order(StringComparer.Ordinal).ToList();
    }
}
