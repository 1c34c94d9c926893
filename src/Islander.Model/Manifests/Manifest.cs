namespace Islander.Model;

/// <summary>
/// One validated object of the desired state: <see cref="IsleManifest"/>, <see cref="NetworkManifest"/> or
/// <see cref="VolumeManifest"/>. <c>apiVersion</c> is always <see cref="ApiVersion"/>.
/// </summary>
public abstract record Manifest(ObjectMeta Metadata, ManifestSource Source)
{
    public const string ApiVersion = "islander.io/v1";

    public abstract ObjectKind Kind { get; }

    public ObjectKey Key => new(Kind, Metadata.Name);

    public string Name => Metadata.Name;
}
