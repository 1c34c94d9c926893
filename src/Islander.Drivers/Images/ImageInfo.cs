namespace Islander.Drivers.Images;

/// <summary>What <c>islanderctl image ls/inspect</c> shows.</summary>
public sealed record ImageInfo
{
    /// <summary>The config digest, <c>sha256:…</c>.</summary>
    public required string Id { get; init; }
    /// <summary>Fully qualified tags: <c>docker.io/library/busybox:latest</c>.</summary>
    public IReadOnlyList<string> Names { get; init; } = [];
    /// <summary>repository@manifest-digest forms the image was pulled by.</summary>
    public IReadOnlyList<string> RepoDigests { get; init; } = [];
    public string? ManifestDigest { get; init; }
    public DateTimeOffset? Created { get; init; }
    public DateTimeOffset Added { get; init; }
    public string Os { get; init; } = "linux";
    public string Architecture { get; init; } = "";
    /// <summary>Uncompressed layer digests, bottom layer first.</summary>
    public IReadOnlyList<string> DiffIds { get; init; } = [];
    /// <summary>Sum of the layers' uncompressed tar sizes.</summary>
    public long Size { get; init; }
    public required ImageDefaults Config { get; init; }
    /// <summary>
    /// The registry or Docker Hub mirror that served the last pull, scheme included (<c>https://registry-1.docker.io</c>,
    /// <c>http://mirror.lan:5000</c>); null for an imported image.
    /// </summary>
    public string? PulledFrom { get; init; }
    /// <summary>
    /// Device nodes in the layers that were not created (<c>/dev/sda (block device 8:0)</c>): an isle gets its own
    /// /dev, and a node in the layer store would be a second door to a host device.
    /// </summary>
    public IReadOnlyList<string> SkippedDevices { get; init; } = [];
}
