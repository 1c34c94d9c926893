namespace Islander.Model;

public sealed record IsleManifest(ObjectMeta Metadata, IsleSpec Spec, ManifestSource Source) : Manifest(Metadata, Source)
{
    public override ObjectKind Kind => ObjectKind.Isle;

    /// <summary>The config files whose content is still to be read from the manifest's tree (no <c>configData</c>).</summary>
    public IReadOnlyList<ConfigFileReference> ConfigFiles { get; init; } = [];
}
