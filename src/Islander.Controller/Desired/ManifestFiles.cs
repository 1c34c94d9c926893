using Islander.Drivers.Manifests;
using Islander.Model;

namespace Islander.Controller.Desired;

/// <summary>Which files in the manifests directory are manifests (<see cref="ManifestDirectory"/>), and when the directory says nothing.</summary>
public static class ManifestFiles
{
    /// <inheritdoc cref="ManifestDirectory.IsManifest"/>
    public static bool IsManifest(string root, string path) => ManifestDirectory.IsManifest(root, path);

    /// <summary>Whether a change of <paramref name="path"/> may matter: a manifest or a config file one names, not a dotfile, nor in a dot directory (.git).</summary>
    public static bool IsTreeFile(string root, string path) => !ManifestDirectory.IsHidden(root, path);

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
        try
        {
            if (!Directory.Exists(root) && new FileInfo(root) is { LinkTarget: { } target } link && link.ResolveLinkTarget(returnFinalTarget: true) is null or { Exists: false })
                return $"{UnavailablePrefix}{root} is a symbolic link to {target}, which is missing; nothing it defined is pruned until it is back";
        }
        catch (IOException e)
        {
            return $"{UnavailablePrefix}{root} cannot be resolved ({e.Message}); nothing it defined is pruned until it can";
        }
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

    /// <inheritdoc cref="ManifestDirectory.List"/>
    public static IReadOnlyList<string> List(string root) => ManifestDirectory.List(root);

    /// <inheritdoc cref="ManifestDirectory.RealPath"/>
    public static string RealPath(string path) => ManifestDirectory.RealPath(path);

    /// <inheritdoc cref="ManifestDirectory.Read(string, out long)"/>
    public static string? Read(string path, out long size) => ManifestDirectory.Read(path, out size);

    /// <inheritdoc cref="ManifestDirectory.Read(string, out long, string?, out string?)"/>
    public static string? Read(string path, out long size, string? within, out string? outside) => ManifestDirectory.Read(path, out size, within, out outside);
}
