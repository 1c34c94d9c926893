namespace Islander.Drivers.Images;

/// <summary>How the registry client reaches registries.</summary>
public sealed record RegistryOptions
{
    /// <summary>Registries (host[:port]) spoken to over plain HTTP, besides localhost and 127.0.0.0/8 (as Docker).</summary>
    public IReadOnlyCollection<string> InsecureRegistries { get; init; } = [];

    /// <summary>Manifests and configs larger than this are refused (containerd uses 4 MiB for manifests).</summary>
    public long MaxDocumentBytes { get; init; } = 8 << 20;

    /// <summary>Attempts per blob when the connection drops; each retry resumes with a Range request.</summary>
    public int BlobAttempts { get; init; } = 3;
}
