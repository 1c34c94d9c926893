namespace Islander.Model;

public sealed record NetworkManifest(ObjectMeta Metadata, NetworkSpec Spec, ManifestSource Source) : Manifest(Metadata, Source)
{
    public override ObjectKind Kind => ObjectKind.Network;
}
