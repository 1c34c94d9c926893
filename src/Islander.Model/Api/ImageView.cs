using System.Text.Json;
using System.Text.Json.Serialization;

namespace Islander.Model.Api;

/// <summary>
/// An image, flat as <c>docker image inspect</c>, with apiVersion and kind. <see cref="Layers"/> are the layers' diff
/// ids; <see cref="SkippedDevices"/> the device nodes an import did not create. An unknown manifest digest, creation
/// time or user is written as null, not left out. <see cref="PulledFrom"/> is the registry or Docker Hub mirror that
/// served the last pull (<c>http://mirror.lan:5000</c>), left out for an imported image.
/// </summary>
public sealed record ImageView(
    string ApiVersion,
    string Kind,
    string Id,
    IReadOnlyList<string> Names,
    IReadOnlyList<string>? RepoDigests,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? ManifestDigest,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateTimeOffset? Created,
    DateTimeOffset? Added,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Os,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Architecture,
    long Size,
    IReadOnlyList<string>? Layers,
    IReadOnlyList<string>? SkippedDevices,
    ImageConfigView? Config,
    string? PulledFrom = null);
