using Islander.Model;

namespace Islander.Controller.Images;

/// <summary>
/// An isle's image is not on this machine and pulling it failed. Keeps the cause's category (Transient/Unknown:
/// retried with back-off, as Kubernetes' ImagePullBackOff; NotFound, InvalidManifest, ...: kept as Error until the
/// spec changes) and its message, which for a registry's refusal is the registry's own words.
/// The lifecycle records it with reason <c>ImagePullFailed</c>.
/// </summary>
public sealed class ImagePullException(string reference, IslanderException cause)
    : IslanderException($"pulling image {reference}: {cause.Message}", cause.Category, cause)
{
    public const string Reason = Reasons.ImagePullFailed;

    public string Reference { get; } = reference;
}
