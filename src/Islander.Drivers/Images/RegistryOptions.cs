namespace Islander.Drivers.Images;

/// <summary>How the registry client reaches registries.</summary>
public sealed record RegistryOptions
{
    /// <summary>Registries (host[:port]) spoken to over plain HTTP, besides localhost and 127.0.0.0/8 (as Docker).</summary>
    public IReadOnlyCollection<string> InsecureRegistries { get; init; } = [];

    /// <summary>
    /// Mirrors of Docker Hub (<c>https://host[:port][/path]</c>, or <c>http://</c> for plain HTTP), tried in order for
    /// Docker Hub images only, before Docker Hub itself (dockerd's <c>registry-mirrors</c>).
    /// </summary>
    public IReadOnlyList<string> Mirrors { get; init; } = [];

    /// <summary>Manifests and configs larger than this are refused (containerd uses 4 MiB for manifests).</summary>
    public long MaxDocumentBytes { get; init; } = 8 << 20;

    /// <summary>Attempts per blob when the connection drops; each retry resumes with a Range request.</summary>
    public int BlobAttempts { get; init; } = 3;
}
