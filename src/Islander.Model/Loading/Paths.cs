namespace Islander.Model;

/// <summary>Checks for the absolute paths of manifests (mountPath, hostPath, rootfs, workingDir).</summary>
internal static class Paths
{
    /// <summary>Reads an absolute, clean path (no "." or ".." components, no NUL); null after a diagnostic.</summary>
    public static string? Absolute(Fields fields, string key, string example)
    {
        if (fields.String(key) is not { } path) return null;
        if (!path.StartsWith('/'))
        {
            fields.Error(key, $"\"{path}\" is not an absolute path; write it from the root, e.g. {example}");
            return null;
        }
        if (path.Contains('\0') || path.Split('/').Any(c => c is "." or ".."))
        {
            fields.Error(key, $"\"{path}\" has \".\" or \"..\" components; write the path without them, e.g. {example}");
            return null;
        }
        return path;
    }
}
