namespace Islander.Model;

/// <summary>
/// The serialized shape of a manifest: plain mutable classes whose members are null when at their default, so
/// the serializer leaves them out. Kept apart from the records so the records stay immutable.
/// </summary>
internal sealed class ManifestDocument
{
    public string ApiVersion { get; set; } = Manifest.ApiVersion;
    public string Kind { get; set; } = "";
    public MetadataDocument Metadata { get; set; } = new();
    public object? Spec { get; set; }

    public static ManifestDocument From(Manifest manifest) => new()
    {
        Kind = manifest.Kind.ToString(),
        Metadata = new MetadataDocument
        {
            Name = manifest.Name,
            Labels = manifest.Metadata.Labels.Count > 0 ? new SortedDictionary<string, string>(manifest.Metadata.Labels.ToDictionary(), StringComparer.Ordinal) : null,
            Annotations = manifest.Metadata.Annotations.Count > 0 ? new SortedDictionary<string, string>(manifest.Metadata.Annotations.ToDictionary(), StringComparer.Ordinal) : null,
        },
        Spec = manifest switch
        {
            IsleManifest isle => IsleSpecDocument.From(isle.Spec),
            NetworkManifest network => NetworkSpecDocument.From(network.Spec),
            VolumeManifest volume => VolumeSpecDocument.From(volume.Spec),
            _ => null,
        },
    };
}

internal sealed class MetadataDocument
{
    public string Name { get; set; } = "";
    public SortedDictionary<string, string>? Labels { get; set; }
    public SortedDictionary<string, string>? Annotations { get; set; }
}

internal sealed class NetworkSpecDocument
{
    public string? Driver { get; set; }
    public string? Subnet { get; set; }
    public string? Gateway { get; set; }
    public bool? Masquerade { get; set; }
    public bool? Internal { get; set; }

    public static NetworkSpecDocument From(NetworkSpec spec) => new()
    {
        Driver = spec.Driver == NetworkDriverKind.Bridge ? null : spec.Driver.Name,
        Subnet = spec.Subnet?.ToString(),
        Gateway = spec.Gateway?.ToString(),
        // Masquerade is written whenever it differs from what the loader would infer from internal.
        Masquerade = spec.Masquerade == !spec.Internal ? null : spec.Masquerade,
        Internal = spec.Internal ? true : null,
    };
}

internal sealed class VolumeSpecDocument
{
    public string Driver { get; set; } = "dir";
    public string? Size { get; set; }
    public string? ReclaimPolicy { get; set; }

    public static VolumeSpecDocument From(VolumeSpec spec) => new()
    {
        Driver = spec.Driver.Name,
        Size = spec.Size is { } s ? Quantity.FormatBytes(s) : null,
        ReclaimPolicy = spec.ReclaimPolicy.ToString(),
    };
}
