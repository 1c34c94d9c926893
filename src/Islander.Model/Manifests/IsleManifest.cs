namespace Islander.Model;

public sealed record IsleManifest(ObjectMeta Metadata, IsleSpec Spec, ManifestSource Source) : Manifest(Metadata, Source)
{
    public override ObjectKind Kind => ObjectKind.Isle;
}
