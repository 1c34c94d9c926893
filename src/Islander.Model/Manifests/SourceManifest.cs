namespace Islander.Model;

public sealed record SourceManifest(ObjectMeta Metadata, SourceSpec Spec, ManifestSource Source) : Manifest(Metadata, Source)
{
    public override ObjectKind Kind => ObjectKind.Source;
}
