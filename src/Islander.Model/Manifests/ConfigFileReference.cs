namespace Islander.Model;

/// <summary>
/// Where a manifest names a config file whose content the daemon must read from the manifest's tree: the isle's
/// <c>spec.volumes[Volume]</c>, the path as written, and the line and column (1-based) of its <c>configFile</c> value, so
/// that a file that cannot be read is reported there (<c>web.yaml:12:19: spec.volumes[0].configFile: ...</c>).
/// </summary>
public sealed record ConfigFileReference(int Volume, string Path, int Line, int Column)
{
    /// <summary>The field's path in problems.</summary>
    public string Field => $"spec.volumes[{Volume}].configFile";
}
