namespace Islander.Model;

public sealed record VolumeManifest(ObjectMeta Metadata, VolumeSpec Spec, ManifestSource Source) : Manifest(Metadata, Source)
{
    public override ObjectKind Kind => ObjectKind.Volume;
}
