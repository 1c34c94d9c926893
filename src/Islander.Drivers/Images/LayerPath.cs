using Islander.Model;

namespace Islander.Drivers.Images;

/// <summary>Pure path rules for layer entries: lexical cleaning and whiteout names.</summary>
public static class LayerPath
{
    public const string WhiteoutPrefix = ".wh.";
    public const string WhiteoutMetaPrefix = ".wh..wh.";
    public const string OpaqueMarker = ".wh..wh..opq";

    /// <summary>
    /// An entry name made relative to the layer root: a leading '/' is dropped (an absolute name
    /// means the root, as GNU tar and containerd read it), '.' and empty components vanish, and
    /// '..' is applied lexically. Returns "" for the root itself.
    /// </summary>
    /// <exception cref="IslanderException">InvalidManifest: '..' climbs above the root (tar-slip), or a NUL byte.</exception>
    public static string Clean(string name)
    {
        if (name.Contains('\0'))
            throw new IslanderException($"layer entry \"{name.Replace("\0", "\\0")}\" contains a NUL byte", ErrorCategory.InvalidManifest);
        var parts = new List<string>();
        foreach (var part in name.Split('/'))
        {
            if (part is "" or ".")
                continue;
            if (part == "..")
            {
                if (parts.Count == 0)
                    throw new IslanderException($"layer entry \"{name}\" points outside the layer root", ErrorCategory.InvalidManifest);
                parts.RemoveAt(parts.Count - 1);
                continue;
            }
            parts.Add(part);
        }
        return string.Join('/', parts);
    }

    /// <summary>Classifies a cleaned path; <c>Target</c> is the path the whiteout applies to (the deleted name, or the opaque directory).</summary>
    public static (WhiteoutKind Kind, string Target) Classify(string cleanPath)
    {
        int slash = cleanPath.LastIndexOf('/');
        string dir = slash < 0 ? "" : cleanPath[..slash];
        string baseName = cleanPath[(slash + 1)..];
        if (!baseName.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
            return (WhiteoutKind.None, cleanPath);
        if (baseName == OpaqueMarker)
            return (WhiteoutKind.Opaque, dir);
        if (baseName.StartsWith(WhiteoutMetaPrefix, StringComparison.Ordinal))
            return (WhiteoutKind.Meta, cleanPath);
        string target = baseName[WhiteoutPrefix.Length..];
        if (target is "" or "." or "..")
            throw new IslanderException($"layer entry \"{cleanPath}\" is a whiteout of nothing", ErrorCategory.InvalidManifest);
        return (WhiteoutKind.File, dir.Length == 0 ? target : $"{dir}/{target}");
    }
}
