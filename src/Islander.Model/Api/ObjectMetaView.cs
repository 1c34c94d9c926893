namespace Islander.Model.Api;

/// <summary>
/// An object's metadata. Everything but the name is absent for an object that is only in the state database (an isle
/// being pruned, a volume waiting for its isles to go). <see cref="ManagedBy"/> is <c>api</c>, <c>manifest</c> (the
/// manifests directory) or <c>source/NAME</c> (a git source);
/// <see cref="Source"/> is <c>file:line:col</c> of the manifest it came from.
/// </summary>
public sealed record ObjectMetaView(string Name, long? Generation = null, DateTimeOffset? CreationTimestamp = null, string? ManagedBy = null,
    string? Source = null, IReadOnlyDictionary<string, string>? Labels = null, IReadOnlyDictionary<string, string>? Annotations = null);
