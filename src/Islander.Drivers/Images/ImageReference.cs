using System.Text.RegularExpressions;
using Islander.Model;

namespace Islander.Drivers.Images;

/// <summary>
/// An image name as Docker reads it (distribution/reference's ParseNormalizedNamed):
/// <c>busybox</c> is <c>docker.io/library/busybox:latest</c>; the first path component is a
/// registry only when it holds a '.' or ':' or is <c>localhost</c>. A digest pins the content; a
/// tag is ignored for fetching when a digest is present (as Docker does) but kept for the name.
/// </summary>
public sealed partial record ImageReference(string Registry, string Repository, string? Tag, string? Digest)
{
    public const string DockerHub = "docker.io";
    public const string DefaultTag = "latest";

    /// <summary>The host the API is served from: Docker Hub's names live on registry-1.docker.io.</summary>
    public string ApiHost => Registry == DockerHub ? "registry-1.docker.io" : Registry;

    /// <summary>The tag or digest to ask the registry's manifests endpoint for.</summary>
    public string ManifestReference => Digest ?? Tag ?? DefaultTag;

    /// <summary>registry/repository without tag or digest.</summary>
    public string Name => $"{Registry}/{Repository}";

    /// <summary>The fully qualified form: <c>docker.io/library/busybox:latest</c>, <c>host/app@sha256:…</c>.</summary>
    public override string ToString() =>
        Name + (Tag is null ? "" : ":" + Tag) + (Digest is null ? "" : "@" + Digest);

    /// <summary>The short form Docker prints: <c>busybox:latest</c>, <c>team/app:1</c> on Docker Hub.</summary>
    public string Familiar()
    {
        string name = Registry != DockerHub ? Name
            : Repository.StartsWith("library/", StringComparison.Ordinal) && Repository.IndexOf('/', 8) < 0 ? Repository[8..]
            : Repository;
        return name + (Tag is null ? "" : ":" + Tag) + (Digest is null ? "" : "@" + Digest);
    }

    /// <summary>Parses and normalizes <paramref name="text"/>; a name with neither tag nor digest gets <c>:latest</c>.</summary>
    /// <exception cref="IslanderException">InvalidManifest: not a valid reference.</exception>
    public static ImageReference Parse(string text)
    {
        if (TryParse(text, out var reference, out string? why))
            return reference;
        throw new IslanderException($"invalid image reference \"{text}\": {why}", ErrorCategory.InvalidManifest);
    }

    public static bool TryParse(string text, out ImageReference reference) => TryParse(text, out reference, out _);

    static bool TryParse(string text, out ImageReference reference, out string? why)
    {
        reference = null!;
        why = null;
        if (string.IsNullOrEmpty(text) || text.Length > 4096)
            return Fail("empty or too long", out why);

        string rest = text;
        string? digest = null;
        int at = rest.IndexOf('@');
        if (at >= 0)
        {
            digest = rest[(at + 1)..];
            rest = rest[..at];
            if (!Images.Digest.TryParse(digest, out _))
                return Fail($"invalid digest \"{digest}\"", out why);
        }

        // A tag follows the last ':' that comes after the last '/' (a ':' before it is a port).
        string? tag = null;
        int slash = rest.LastIndexOf('/');
        int colon = rest.LastIndexOf(':');
        if (colon > slash)
        {
            tag = rest[(colon + 1)..];
            rest = rest[..colon];
            if (!TagPattern().IsMatch(tag))
                return Fail($"invalid tag \"{tag}\"", out why);
        }

        string registry = DockerHub, path = rest;
        int first = rest.IndexOf('/');
        if (first >= 0)
        {
            string head = rest[..first];
            if (head.Contains('.') || head.Contains(':') || head == "localhost" || !IsLowercase(head))
            {
                registry = head;
                path = rest[(first + 1)..];
            }
        }
        if (!DomainPattern().IsMatch(registry))
            return Fail($"invalid registry \"{registry}\"", out why);
        if (registry is "index.docker.io" or "registry-1.docker.io")
            registry = DockerHub;
        if (path.Length == 0 || path.Length > 255)
            return Fail("empty or too long repository name", out why);
        if (!IsLowercase(path))
            return Fail("repository name must be lowercase", out why);
        foreach (var component in path.Split('/'))
            if (!ComponentPattern().IsMatch(component))
                return Fail($"invalid repository name component \"{component}\"", out why);
        if (registry == DockerHub && !path.Contains('/'))
            path = "library/" + path;
        if (tag is null && digest is null)
            tag = DefaultTag;
        reference = new ImageReference(registry, path, tag, digest);
        return true;
    }

    // What ToLowerInvariant would leave unchanged: the same test as before, written as one ordinal comparison.
    static bool IsLowercase(string s) => string.Equals(s, s.ToLowerInvariant(), StringComparison.Ordinal);

    static bool Fail(string message, out string why)
    {
        why = message;
        return false;
    }

    [GeneratedRegex(@"^[\w][\w.-]{0,127}$")]
    private static partial Regex TagPattern();

    // host[:port] or [ipv6]:port; labels of letters, digits and '-'.
    [GeneratedRegex(@"^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::[0-9]+)?$")]
    private static partial Regex DomainPattern();

    [GeneratedRegex(@"^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$")]
    private static partial Regex ComponentPattern();
}
